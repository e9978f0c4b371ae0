"""The providers' documented fine-tuning formats, and a check that an example fits them.

- OpenAI supervised fine-tuning (chat): one JSON object per line with
  ``messages`` (``system``/``user``/``assistant``/``tool`` roles; an assistant
  message has ``content`` or ``tool_calls``, and may carry ``weight`` 0 or 1),
  and optionally ``tools`` (function definitions) and ``parallel_tool_calls``.
- OpenAI direct preference optimisation: one JSON object per line with
  ``input`` (``messages``, optional ``tools`` and ``parallel_tool_calls``),
  ``preferred_output`` and ``non_preferred_output`` (each a list holding one
  assistant message).

:func:`sft_problems` and :func:`dpo_problems` return what is wrong with an
example (empty when it fits); export never writes an example that does not fit.
"""

from __future__ import annotations

from typing import Any

ROLES = ("system", "user", "assistant", "tool")
_MESSAGE_KEYS = {"role", "content", "name", "tool_calls", "tool_call_id", "weight"}


def _tool_call_problems(call: Any, where: str) -> list[str]:
    if not isinstance(call, dict) or call.get("type") != "function":
        return [f"{where}: a tool call must be an object with type 'function'"]
    fn = call.get("function")
    if not isinstance(call.get("id"), str) or not isinstance(fn, dict):
        return [f"{where}: a tool call needs a string id and a function object"]
    if not isinstance(fn.get("name"), str) or not isinstance(fn.get("arguments"), str):
        return [f"{where}: a tool call's function needs a string name and string arguments"]
    return []


def message_problems(m: Any, where: str) -> list[str]:
    if not isinstance(m, dict):
        return [f"{where}: a message must be an object"]
    problems = [f"{where}: unknown key {k!r}" for k in sorted(set(m) - _MESSAGE_KEYS)]
    role = m.get("role")
    if role not in ROLES:
        return [*problems, f"{where}: role must be one of {', '.join(ROLES)}"]
    content = m.get("content")
    calls = m.get("tool_calls")
    if role == "assistant" and calls:
        if not isinstance(calls, list):
            problems.append(f"{where}: tool_calls must be a list")
        else:
            for i, call in enumerate(calls):
                problems += _tool_call_problems(call, f"{where}.tool_calls[{i}]")
        if content is not None and not isinstance(content, str):
            problems.append(f"{where}: content must be a string or null")
    elif not isinstance(content, str) or not content:
        problems.append(f"{where}: content must be a non-empty string")
    if role == "tool" and not isinstance(m.get("tool_call_id"), str):
        problems.append(f"{where}: a tool message needs tool_call_id")
    if "weight" in m and (role != "assistant" or m["weight"] not in (0, 1)):
        problems.append(f"{where}: weight is 0 or 1, on assistant messages only")
    return problems


def _tools_problems(example: dict[str, Any], where: str) -> list[str]:
    tools = example.get("tools")
    if tools is None:
        return []
    if not isinstance(tools, list):
        return [f"{where}.tools must be a list"]
    problems = []
    for i, tool in enumerate(tools):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            problems.append(f"{where}.tools[{i}]: must be {{'type': 'function', 'function': {{...}}}}")
        elif not isinstance(fn.get("name"), str) or not isinstance(fn.get("parameters", {}), dict):
            problems.append(f"{where}.tools[{i}]: the function needs a name and object parameters")
    return problems


def sft_problems(example: Any) -> list[str]:
    """What keeps ``example`` from being one line of an OpenAI chat fine-tuning file."""
    if not isinstance(example, dict):
        return ["an example must be an object"]
    problems = [f"unknown key {k!r}" for k in sorted(set(example) - {"messages", "tools", "parallel_tool_calls"})]
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        return [*problems, "messages must be a non-empty list"]
    for i, m in enumerate(messages):
        problems += message_problems(m, f"messages[{i}]")
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        problems.append("an example needs at least one assistant message")
    elif isinstance(messages[-1], dict) and messages[-1].get("role") != "assistant":
        problems.append("the last message must be the assistant's (what is learned)")
    return problems + _tools_problems(example, "example")


def dpo_problems(example: Any) -> list[str]:
    """What keeps ``example`` from being one line of an OpenAI preference (DPO) fine-tuning file."""
    if not isinstance(example, dict):
        return ["an example must be an object"]
    wanted = {"input", "preferred_output", "non_preferred_output"}
    problems = [f"unknown key {k!r}" for k in sorted(set(example) - wanted)]
    problems += [f"missing {k}" for k in sorted(wanted - set(example))]
    inp = example.get("input")
    if not isinstance(inp, dict) or not isinstance(inp.get("messages"), list) or not inp["messages"]:
        return [*problems, "input.messages must be a non-empty list"]
    problems += [f"input: unknown key {k!r}" for k in sorted(set(inp) - {"messages", "tools", "parallel_tool_calls"})]
    for i, m in enumerate(inp["messages"]):
        problems += message_problems(m, f"input.messages[{i}]")
        if isinstance(m, dict) and "weight" in m:
            problems.append(f"input.messages[{i}]: weight belongs to supervised examples only")
    if isinstance(inp["messages"][-1], dict) and inp["messages"][-1].get("role") == "assistant":
        problems.append("input must end with the message the outputs answer, not an assistant message")
    for key in ("preferred_output", "non_preferred_output"):
        out = example.get(key)
        if not isinstance(out, list) or len(out) != 1:
            problems.append(f"{key} must be a list of one assistant message")
            continue
        problems += message_problems(out[0], f"{key}[0]")
        if isinstance(out[0], dict) and out[0].get("role") != "assistant":
            problems.append(f"{key}[0] must be an assistant message")
    if example.get("preferred_output") == example.get("non_preferred_output"):
        problems.append("the preferred and non-preferred outputs are the same")
    return problems + _tools_problems(inp, "input")
