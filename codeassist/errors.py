"""The one error tree of codeassist.

Every error a user can cause or meet derives from :class:`CodeassistError` and
carries the exit code the command-line contract documents:

=====  =====================================================================
code   meaning
=====  =====================================================================
0      success
1      the task did not succeed (:class:`TaskFailed`)
2      usage error: bad flags or arguments (:class:`UsageError`)
3      configuration error: no model, bad config file (:class:`ConfigError`)
4      model backend error after retries (:class:`BackendError` and children)
5      git error: not a repository, conflict, locked index (:class:`GitError`)
130    interrupted (:class:`Interrupted`)
=====  =====================================================================

Lower layers translate foreign exceptions (openai, git, sqlite, OSError) at
their boundary with ``raise ... from``; only the CLI entry point prints an
error and exits.
"""

from __future__ import annotations


class CodeassistError(Exception):
    """Base of every error codeassist reports to a user."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class TaskFailed(CodeassistError):
    """The request ran but did not achieve its goal (edit not applied, review blocked)."""

    exit_code = 1


class UsageError(CodeassistError):
    """Bad flags, arguments or input given by the user."""

    exit_code = 2


class ConfigError(CodeassistError):
    """No model configured, an unreadable or invalid config file, a bad setting."""

    exit_code = 3


class BackendError(CodeassistError):
    """The model backend failed after retries."""

    exit_code = 4


class AuthenticationError(BackendError):
    """The endpoint rejected the API key."""


class ModelNotFoundError(BackendError):
    """The endpoint does not serve the requested model."""

    def __init__(self, message: str, *, available: list[str] | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.available = available or []


class ContextTooLongError(BackendError):
    """The request does not fit the model's context window (refused here or by the server).

    ``limit`` is the window the server said it has, when it said so.
    """

    def __init__(self, message: str, *, hint: str | None = None, limit: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.limit = limit


class ConnectionFailedError(BackendError):
    """The endpoint could not be reached or did not answer in time."""


class RateLimitError(BackendError):
    """The endpoint kept answering 429 after every retry."""


class MalformedResponseError(BackendError):
    """The endpoint sent something that is not a valid reply or stream."""


class GitError(CodeassistError):
    """A git operation failed: not a repository, conflict, locked index."""

    exit_code = 5


class Interrupted(CodeassistError):
    """The user interrupted (Ctrl-C)."""

    exit_code = 130

    def __init__(self, message: str = "interrupted", *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
