"""Agent mode: the model looks around with tools built on the Workspace and the index, then edits.

Modules, each about one thing:

* :mod:`~codeassist.agent.options` - the mode, the approval level and the bounds, from settings and flags;
* :mod:`~codeassist.agent.specs` - the tools offered to the model (names, descriptions, JSON schemas);
* :mod:`~codeassist.agent.reading` - ``read_file`` and ``list_files`` through the file rule;
* :mod:`~codeassist.agent.search` - ``search``: ripgrep when installed, pure Python otherwise;
* :mod:`~codeassist.agent.symbols` - ``find_symbol``, ``find_references`` and ``repo_map`` from the index;
* :mod:`~codeassist.agent.approval` - which commands run, ask, or are refused; the bubblewrap sandbox;
* :mod:`~codeassist.agent.toolbox` - one call in, one bounded result out (bad calls become errors the model reads);
* :mod:`~codeassist.agent.result` - a tool's result: the model's text, a summary for people, ok or not;
* :mod:`~codeassist.agent.bounds` - steps, tokens, cost, repeated calls, the window;
* :mod:`~codeassist.agent.loop` - the loop itself, inside the same Transaction as the classic mode.

Nothing here prints: the loop reports ``tool.call`` and ``tool.result`` events and returns a RunResult.
"""
