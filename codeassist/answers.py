"""Is a reply with no edit an answer? The decision the edit loop asks in one place.

A model asked something in the chat ("hi", "what does run() do?") answers in
prose. Sending that back with "send all the edits again" costs three more
paid calls and ends in "failed"; the reply is the answer. A reply is taken
as one when it is not empty, carries no trace of an edit (SEARCH/REPLACE
markers, a diff, a patch envelope: those failed to apply and are reflected
as before), and the request did not clearly ask for a change: none of its
sentences starts (after "please", "can you"...) with a verb that changes code.
"""

from __future__ import annotations

import re

# Verbs a request that asks for a change starts with.
CHANGE_VERBS = frozenset(
    """add adjust allow append apply bump change clean cleanup convert correct create delete deprecate disable
    document drop edit enable extract fix format generate handle implement improve inline insert introduce make
    merge migrate modify move optimise optimize patch port refactor remove rename reorder replace restructure
    rewrite set simplify sort split support swap switch test tidy translate turn update upgrade use wire wrap
    write""".split()
)
# Words that may come before the verb without changing what is asked.
_LEAD_IN = frozenset(
    """please pls kindly can could would will you u we i i'd id like want need to let's lets let us just now also
    then go ahead and""".split()
)
_EDIT_TRACES = (
    re.compile(r"^<{5,9} SEARCH", re.M),
    re.compile(r"^>{5,9} REPLACE", re.M),
    re.compile(r"^(?:---|\+\+\+) [ab/]?\S", re.M),
    re.compile(r"^@@ .* @@", re.M),
    re.compile(r"^\*\*\* (?:Begin Patch|Update File|Add File)", re.M),
)


def asks_for_change(request: str) -> bool:
    """Whether ``request`` clearly asks for a change: a sentence of it starts with a change verb.

    "fix the parser", "please add a flag", "why does it crash? fix it" ask
    for a change; "hi", "what does run() do?", "explain app.py" do not.
    """
    for sentence in re.split(r"[.?!;:\n]+", request.lower()):
        words = [w for w in re.findall(r"[a-z][a-z'-]*", sentence)[:8] if w not in _LEAD_IN]
        if words and words[0] in CHANGE_VERBS:
            return True
    return False


def tried_to_edit(reply: str) -> bool:
    """Whether ``reply`` holds something shaped like an edit (that then did not apply)."""
    return any(p.search(reply) for p in _EDIT_TRACES)


def looks_like_answer(request: str, reply: str) -> bool:
    """A reply with no edit and no file request that is best shown as the answer (see the module docstring)."""
    return bool(reply.strip()) and not tried_to_edit(reply) and not asks_for_change(request)
