"""Translate openai SDK failures into codeassist errors, and decide what to retry.

Every message names the endpoint and says what to do; every error raised
here is a :class:`codeassist.errors.BackendError` (exit code 4).
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codeassist.backends.presets import Endpoint
from codeassist.errors import (
    AuthenticationError,
    BackendError,
    ConnectionFailedError,
    ContextTooLongError,
    MalformedResponseError,
    ModelNotFoundError,
    RateLimitError,
)

RETRY_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class ErrorContext:
    endpoint: Endpoint
    api: str
    timeout_read: float
    attempts: int = 1
    # Best effort: model ids the endpoint serves, for a "model not found" message.
    list_models: Callable[[], list[str]] | None = None


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def error_code(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("code"):
            return str(inner["code"])
    return str(getattr(exc, "code", "") or "")


def server_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", "") or exc)


def refused_locally(exc: BaseException, endpoint: Endpoint) -> bool:
    """A connection refused by a loopback address: nothing listens there, and waiting will not change that."""
    import openai

    from codeassist.backends.server_facts import is_loopback

    if not isinstance(exc, openai.APIConnectionError) or isinstance(exc, openai.APITimeoutError):
        return False
    cause = exc.__cause__ or exc.__context__
    return cause is not None and "refused" in str(cause).lower() and is_loopback(endpoint.display_url)


def is_retryable(exc: BaseException) -> bool:
    """429 (not an exhausted quota), 408/409, 5xx and connection errors are worth another try."""
    import openai

    if isinstance(exc, openai.APIConnectionError):
        return True
    status = status_of(exc)
    if status is None:
        return False
    if status == 429 and error_code(exc) == "insufficient_quota":
        return False
    return status in RETRY_STATUSES or status >= 500


def retry_after(exc: BaseException, now: float) -> float | None:
    """Seconds the server asked us to wait (Retry-After as seconds or HTTP date, or retry-after-ms)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"), now)


def parse_retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


_LIMIT = re.compile(r"(?:maximum context length is|context length of|limit of|window of)\s*([\d,]+)", re.I)
_ASKED = re.compile(r"(?:resulted in|requested|you requested|prompt is|input has|contains)\s*([\d,]+)", re.I)


def context_numbers(message: str) -> tuple[int, int] | None:
    """(limit, requested) tokens from a context-length error message, when it gives them."""
    limit, asked = _LIMIT.search(message), _ASKED.search(message)
    if not limit or not asked:
        return None
    return int(limit.group(1).replace(",", "")), int(asked.group(1).replace(",", ""))


def is_context_error(code: str, message: str) -> bool:
    """Each server's way of saying the prompt is too long (OpenAI, vLLM, llama.cpp, Ollama...)."""
    text = message.lower()
    return (
        code in ("context_length_exceeded", "exceed_context_size_error")
        or "context length" in text  # OpenAI, vLLM, Ollama ("exceeds the context length")
        or "context window" in text
        or "context size" in text  # llama.cpp ("exceeds the available context size")
        or ("too long" in text and "token" in text)
    )


def body_numbers(exc: BaseException) -> tuple[int, int] | None:
    """llama.cpp puts the numbers beside its message: ``n_ctx`` and ``n_prompt_tokens``."""
    body = getattr(exc, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        return None
    limit, asked = inner.get("n_ctx"), inner.get("n_prompt_tokens")
    return (limit, asked) if isinstance(limit, int) and isinstance(asked, int) else None


def error_type(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    return str(inner.get("type") or "") if isinstance(inner, dict) else ""


def context_too_long(message: str, model: str, numbers: tuple[int, int] | None = None) -> ContextTooLongError:
    numbers = numbers or context_numbers(message)
    hint = "drop files from the chat, or use a model with a larger window"
    if numbers is None:
        return ContextTooLongError(f"the request does not fit {model}'s context window: {message}", hint=hint)
    limit, asked = numbers
    return ContextTooLongError(
        f"the request is {asked - limit:,} tokens too long for {model}: {asked:,} tokens, the window holds {limit:,}",
        hint=hint,
        limit=limit,
    )


def translate(exc: BaseException, ctx: ErrorContext) -> BackendError:
    """The codeassist error for an SDK exception raised before any output."""
    import openai

    ep = ctx.endpoint
    url = ep.display_url
    if isinstance(exc, openai.APITimeoutError):
        return ConnectionFailedError(
            f"{url} did not answer within {ctx.timeout_read:g} s{_tries(ctx)}",
            hint="raise the limit with `codeassist config set timeout_read SECONDS`",
        )
    if isinstance(exc, openai.APIConnectionError):
        return connection_failed(exc, ctx)
    status = status_of(exc)
    message = server_message(exc)
    code = error_code(exc)
    if status in (401, 403):
        return AuthenticationError(
            f"{url} rejected the API key (HTTP {status}: {message})",
            hint=f"set {ep.key_env} to a valid key (or pass --api-key)",
        )
    refused = tools_refused(message, url, ep.model)
    if refused is not None:
        return refused
    if status == 404:
        return not_found(message, code, ctx)
    if status == 429:
        hint = (
            "check the plan and billing of this account"
            if code == "insufficient_quota"
            else ("wait a little, or raise max_retries / retry_max_delay")
        )
        return RateLimitError(f"{url} is rate limiting requests (HTTP 429{_tries(ctx)}): {message}", hint=hint)
    if status in (400, 413, 422) and is_context_error(code or error_type(exc), message):
        return context_too_long(message, ep.model, body_numbers(exc))
    if status is not None:
        return BackendError(f"{url} answered HTTP {status}{_tries(ctx)}: {message}")
    if is_context_error(code, message):  # reported as an error event inside a stream
        return context_too_long(message, ep.model)
    if isinstance(exc, ValueError | openai.APIResponseValidationError):
        return MalformedResponseError(f"{url} sent a reply that is not valid JSON of the expected shape: {exc}")
    return BackendError(f"request to {url} failed: {message}")


# How servers refuse a request with tools for a model (or a server setup) that cannot call them: Ollama
# ("... does not support tools"), vLLM without --enable-auto-tool-choice, llama.cpp without --jinja,
# OpenRouter with no provider that takes tools, OpenAI ("'tools' is not supported with this model").
_TOOLS_REFUSED = re.compile(
    r"does not support (?:tools|tool|function)|tool choice requires|requires --jinja|--enable-auto-tool-choice"
    r"|support tool use|'?tools'? (?:is|are) not supported|tools? (?:calling |use )?(?:is |are )?not supported"
    r"|function calling is not supported",
    re.I,
)


def tools_refused(message: str, url: str, model: str) -> BackendError | None:
    """The error for a server that refused the tools of an agent request; None for any other message."""
    if not _TOOLS_REFUSED.search(message):
        return None
    lowered = message.lower()
    if "--jinja" in lowered:
        setup = "start llama-server with --jinja (it then calls tools with the model's own template), or "
    elif "auto-tool-choice" in lowered or "tool choice requires" in lowered:
        setup = "start vLLM with --enable-auto-tool-choice --tool-call-parser PARSER (for the model), or "
    else:
        setup = ""
    return BackendError(
        f"{url} refused the tools of this agent request: {model} cannot call tools there ({message})",
        hint=setup + 'use classic mode (edit without --agent, mode = "classic"), or a model that calls tools; '
        f'[models."{model}"] tools = false in your config makes codeassist say so before sending anything',
    )


def _tries(ctx: ErrorContext) -> str:
    return f", after {ctx.attempts} attempts" if ctx.attempts > 1 else ""


def connection_failed(exc: BaseException, ctx: ErrorContext) -> ConnectionFailedError:
    ep = ctx.endpoint
    cause = exc.__cause__ or exc.__context__
    reason = _reason(cause) if cause is not None else "connection error"
    hint = None
    if ep.preset is not None and ep.preset.local:
        hint = f"is the {ep.preset.name} server running? {ep.preset.start_hint}"
    elif ep.preset is not None and ep.preset.azure and not ep.base_url:
        hint = "set AZURE_OPENAI_ENDPOINT or --base-url to your Azure resource URL"
    else:
        hint = "check the URL (--base-url / OPENAI_BASE_URL) and your network"
    return ConnectionFailedError(f"cannot connect to {ep.display_url}: {reason}{_tries(ctx)}", hint=hint)


def _reason(cause: BaseException) -> str:
    text = str(cause) or type(cause).__name__
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "unknown host"
    return text.splitlines()[0][:200]


def not_found(message: str, code: str, ctx: ErrorContext) -> BackendError:
    ep = ctx.endpoint
    if code == "model_not_found" or "model" in message.lower():
        available = _available(ctx)
        shown = ", ".join(available[:15]) + (f" (and {len(available) - 15} more)" if len(available) > 15 else "")
        hint = f"models offered by {ep.display_url}: {shown}" if available else "`codeassist models` lists models"
        return ModelNotFoundError(f"{ep.display_url} does not serve model {ep.model!r}", available=available, hint=hint)
    path = "/responses" if ctx.api == "responses" else "/chat/completions"
    hint = 'check base_url; if the server has no Responses API set `api = "chat"`'
    return BackendError(f"{ep.display_url} has no {path} endpoint (HTTP 404: {message})", hint=hint)


def _available(ctx: ErrorContext) -> list[str]:
    if ctx.list_models is None:
        return []
    try:
        return sorted(ctx.list_models())
    except Exception:  # best effort: the error being reported matters more
        return []


def stream_cut(chars: int, ctx: ErrorContext, exc: BaseException | None) -> BackendError:
    """The stream broke (or ended unfinished) after output was already delivered."""
    url = ctx.endpoint.display_url
    if exc is None:
        return MalformedResponseError(
            f"the stream from {url} ended without finishing, after {chars} characters", hint="try again"
        )
    return ConnectionFailedError(f"the stream from {url} was cut off after {chars} characters", hint="try again")


def describe_bad_chunk(exc: BaseException) -> str:
    doc: Any = getattr(exc, "doc", None)
    if isinstance(doc, str) and doc:
        return f"{exc.__class__.__name__}: {doc[:80]!r}"
    return str(exc)[:200]
