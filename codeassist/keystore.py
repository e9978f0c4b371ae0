"""API keys in the system keyring: optional, used only when the ``keyring`` package is installed.

``codeassist config set api_key KEY --keyring`` stores the key under the
service ``codeassist`` (user ``api_key``) and sets ``key_store = "keyring"`` in
the user config; only then does endpoint resolution look the key up, as the
last choice before none (:func:`codeassist.backends.presets.resolve_endpoint`),
so a machine whose keyring locks or prompts is never asked unless the user
chose it. The backend is keyring's own choice (macOS Keychain, Windows
Credential Locker, Secret Service...), or ``PYTHON_KEYRING_BACKEND``.
"""

from __future__ import annotations

from codeassist.errors import ConfigError, UsageError

SERVICE = "codeassist"
KEY_NAME = "api_key"
INSTALL_HINT = "pip install 'codeassist[keyring]' (the keyring package)"


def _keyring():  # type: ignore[no-untyped-def]
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def available() -> bool:
    return _keyring() is not None


def store(value: str, name: str = KEY_NAME) -> str:
    """Store ``value``; returns the keyring backend's name. UsageError/ConfigError when it cannot."""
    keyring = _keyring()
    if keyring is None:
        raise UsageError("--keyring needs the keyring package, which is not installed", hint=INSTALL_HINT)
    try:
        keyring.set_password(SERVICE, name, value)
        backend = keyring.get_keyring()
    except Exception as exc:  # keyring's errors (no backend, locked, denied) are not one class
        raise ConfigError(f"the system keyring did not store the key: {exc}") from exc
    return f"{type(backend).__module__}.{type(backend).__name__}"


def lookup(name: str = KEY_NAME) -> str | None:
    """The stored key, or None (no keyring package, no backend, nothing stored, or an error)."""
    keyring = _keyring()
    if keyring is None:
        return None
    try:
        value = keyring.get_password(SERVICE, name)
    except Exception:  # a locked or absent keyring means: no key from it
        return None
    return value or None
