"""The chat's ``/agent``: edit requests in agent mode, where the model looks around with tools.

On by default when the ``mode`` setting is ``agent``. Commands the model wants
to run ask on the terminal (``auto-edit``) unless ``allow_commands`` allows
them; see the README's agent mode section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeassist.interfaces.repl_table import command

if TYPE_CHECKING:
    from codeassist.interfaces.repl import Repl
    from codeassist.run import RunOptions, RunResult


def agent_request(repl: Repl, run: RunOptions) -> RunResult:
    """One edit request in agent mode, commands confirmed on the chat's terminal."""
    from codeassist.agent.options import AgentOptions
    from codeassist.interfaces.confirm import confirm_command_on_tty

    return repl.session.agent(run, AgentOptions(confirm_command=confirm_command_on_tty(repl.err)))


@command("/agent", "[on|off|REQUEST]", "edit requests in agent mode (the model searches, reads and runs with tools)")
def agent(repl: Repl, rest: str) -> bool:
    if rest not in ("", "on", "off"):
        return repl.request_with(agent_request, rest)
    turn_on = rest != "off" if rest else not repl.agent
    if turn_on:
        from codeassist.agent.options import NO_TOOLS_HINT, no_tools_message

        refused = no_tools_message(repl.session.info, repl.session.model_name)
        if refused is not None:
            repl.agent = False
            repl.status(f"agent mode stays off: {refused}; {NO_TOOLS_HINT}", style="yellow")
            return True
    repl.agent = turn_on
    state = "on: edit requests use tools" if repl.agent else "off: edit requests get one prepared context"
    repl.status(f"agent mode {state}")
    return True
