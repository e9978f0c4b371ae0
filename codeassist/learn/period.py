"""``--since`` for the record: a date, a date and time, or an age (``7d``, ``12h``, ``2w``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from codeassist.errors import UsageError

_AGE = re.compile(r"^(\d+)\s*([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(text: str, now: datetime) -> str:
    """The moment ``text`` names, as the record's ISO form (UTC, ``2026-01-02T03:04:05Z``)."""
    raw = text.strip()
    age = _AGE.match(raw.lower())
    if age:
        moment = now - int(age.group(1)) * _UNITS[age.group(2)]
    else:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"--since {text!r}: not a date",
                hint="use a date (2026-01-31), a time (2026-01-31T14:00) or 7d, 12h, 2w",
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
