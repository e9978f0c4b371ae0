"""codeassist: a terminal AI coding assistant that works with any OpenAI-compatible model."""

__version__ = "0.1.0"
