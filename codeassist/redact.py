"""Keys inside URLs are never printed.

An endpoint URL may carry a key: in its userinfo (``https://user:KEY@host``)
or in a query parameter (``?key=KEY``, ``?api-key=KEY``, ``?token=KEY``).
:func:`redact_url` replaces those parts with ``***``; :func:`redact_text` does
it for every URL inside a message. Errors, ``config show`` and ``models`` print
URLs only through these.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_PARAMS = re.compile(
    r"^(?:key|api[-_]?key|apikey|x-api-key|token|access[-_]?token|auth|authorization|password|passwd|pass|secret"
    r"|client[-_]?secret|sig|signature|code|session|subscription[-_]?key)$",
    re.IGNORECASE,
)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")


def redact_url(url: str) -> str:
    """``url`` with its userinfo and secret-looking query values replaced by ``***``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(_SECRET_PARAMS.match(k) for k, _ in pairs):
                query = urlencode([(k, MASK if _SECRET_PARAMS.match(k) else v) for k, v in pairs], safe="*")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        # Not parseable (a bad port, a broken IPv6 literal): hide everything after the scheme.
        scheme, sep, _ = url.partition("://")
        return f"{scheme}{sep}{MASK}" if sep else MASK


def redact_text(text: str) -> str:
    """``text`` with every URL in it passed through :func:`redact_url`."""
    if "://" not in text:
        return text
    return _URL.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    url = match.group()
    core = url.rstrip(".,;:!?)]}")  # the sentence's punctuation, not the URL's
    return redact_url(core) + url[len(core) :]
