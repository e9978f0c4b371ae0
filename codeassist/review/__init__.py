"""Reviewing a change before it is committed: offline checks, the model's review, the git hooks.

The pieces, each in its own module: :mod:`findings` (the value reported),
:mod:`changes` (what is judged, read from git), :mod:`offline` (checks
without a network; secrets through :mod:`codeassist.secrets`), :mod:`model` (the model's review),
:mod:`rules` (settings and the inline ``codeassist: allow RULE`` marker),
:mod:`run` (a review end to end, cached by :mod:`cache`), :mod:`hooks`
(install and uninstall), :mod:`hook_run` (what the hooks do) and
:mod:`message` (a commit message drafted by the model).
"""
