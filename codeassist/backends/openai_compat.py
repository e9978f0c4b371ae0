"""The built-in backend: any OpenAI-compatible endpoint, through the openai SDK.

Speaks Chat Completions or Responses (per model, from the catalogue or the
``api`` setting). Retries are ours, not the SDK's (its ``max_retries`` is 0),
so that they are bounded, honour Retry-After, use jitter, never repeat a
request whose reply was partly delivered, and can be tested without sleeping
(``sleep`` and ``rand`` are constructor parameters).

The openai package is imported lazily (it costs a quarter of a second) and
the client is built on the first request.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codeassist.backends import openai_errors as errs
from codeassist.backends.base import Message, RequestOptions, StreamEvent, Usage
from codeassist.backends.catalogue import ModelInfo, cost_usd, lookup_model
from codeassist.backends.openai_wire import Progress, StreamFailed, StreamUnfinished
from codeassist.backends.presets import PLACEHOLDER_KEY, Endpoint, resolve_endpoint
from codeassist.errors import AuthenticationError, BackendError, Interrupted, MalformedResponseError

if TYPE_CHECKING:
    from codeassist.backends.ollama_native import OllamaNativeBackend
    from codeassist.config import Settings

DEFAULT_OPENAI_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` attempts after the first; delays double from ``base_delay`` up to ``max_delay``."""

    max_retries: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0

    def backoff(self, attempt: int, rand: float) -> float:
        """Equal jitter: half the exponential delay, plus a random part of the other half."""
        delay = min(self.max_delay, self.base_delay * (2**attempt))
        return delay / 2 + rand * delay / 2


class OpenAICompatBackend:
    """A :class:`codeassist.backends.base.Backend` for an OpenAI-compatible endpoint."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        info: ModelInfo | None = None,
        api: str | None = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout_connect: float = 10.0,
        timeout_read: float = 120.0,
        stream: bool = True,
        name: str = "openai",
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.endpoint = endpoint
        self.info = info or lookup_model(endpoint.model)
        self.api = api or self.info.api
        self.retry = retry
        self.timeout_connect = timeout_connect
        self.timeout_read = timeout_read
        self.streaming = stream
        self._sleep, self._rand, self._clock = sleep, rand, clock
        self._client: Any = None
        # Some servers reject stream_options; learnt once, then left out.
        self._send_stream_options = True

    # -- the Protocol --------------------------------------------------------------

    def stream(self, messages: Sequence[Message], options: RequestOptions) -> Iterator[StreamEvent]:
        """Stream one reply: deltas, tool calls, one usage event, done. Retries before any output."""
        import openai

        # What a server or the network can do to us; anything else is a bug and propagates.
        failures = (openai.OpenAIError, ValueError, StreamFailed, StreamUnfinished)
        attempt = 0
        while True:
            progress = Progress()
            inner = self._attempt(messages, options, progress)
            try:
                yield from inner
                return
            except KeyboardInterrupt as exc:
                raise Interrupted("the reply was interrupted") from exc
            except failures as exc:
                failure: BaseException = exc
            finally:
                inner.close()  # releases the HTTP response on every exit
            delay = self._retry_delay(failure, attempt, progress)
            if delay is None:
                raise self._translate(failure, progress, attempt + 1) from failure
            try:
                self._sleep(delay)
            except KeyboardInterrupt as exc:
                raise Interrupted("interrupted while waiting to retry") from exc
            attempt += 1

    def list_models(self) -> list[str]:
        """Model ids from the endpoint's /models (one attempt, raises BackendError)."""
        import openai

        client = self._get_client()
        try:
            return sorted(str(m.id) for m in client.models.list())
        except KeyboardInterrupt as exc:
            raise Interrupted() from exc
        except (openai.OpenAIError, ValueError) as exc:
            raise errs.translate(exc, self._context(1, with_models=False)) from exc

    # -- one attempt ---------------------------------------------------------------

    def _attempt(
        self, messages: Sequence[Message], options: RequestOptions, progress: Progress
    ) -> Generator[StreamEvent, None, None]:
        from codeassist.backends import openai_wire as wire

        client = self._get_client()
        options = self._with_model(options)
        reasoning = self.info.reasoning
        parse: Callable[[Iterable[Any], Progress], Iterator[StreamEvent]]
        if self.api == "responses":
            params = wire.responses_params(messages, options, reasoning=reasoning)
            if not self.streaming:
                yield from self._whole(wire.responses_whole_events(client.responses.create(**params)), progress)
                return
            raw = client.responses.create(stream=True, **params)
            parse = wire.responses_stream_events
        else:
            params = wire.chat_params(messages, options, reasoning=reasoning)
            if not self.streaming:
                yield from self._whole(wire.chat_whole_events(client.chat.completions.create(**params)), progress)
                return
            if self._send_stream_options:
                params["stream_options"] = {"include_usage": True}
            raw = self._create_chat_stream(client, params)
            parse = wire.chat_stream_events
        try:
            yield from parse(raw, progress)
            yield self._usage_event(progress.usage, messages, progress)
            yield StreamEvent("done", finish_reason=progress.finish_reason or "stop")
        finally:
            raw.close()

    def _create_chat_stream(self, client: Any, params: dict[str, Any]) -> Any:
        import openai

        try:
            return client.chat.completions.create(stream=True, **params)
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            if "stream_options" not in errs.server_message(exc) or "stream_options" not in params:
                raise
            self._send_stream_options = False
            params.pop("stream_options")
            return client.chat.completions.create(stream=True, **params)

    def _whole(self, events: Iterator[StreamEvent], progress: Progress) -> Iterator[StreamEvent]:
        saw_usage = False
        for event in events:
            if event.kind == "usage" and event.usage is not None:
                saw_usage = True
                event = StreamEvent("usage", usage=self._priced(event.usage))
            elif event.kind == "done" and not saw_usage:
                yield self._usage_event(None, (), progress)
            progress.events += 1
            progress.chars += len(event.text)
            yield event

    def _usage_event(self, usage: Usage | None, messages: Sequence[Message], progress: Progress) -> StreamEvent:
        if usage is None:
            from codeassist.tokens import estimate_tokens

            model = self.endpoint.model
            usage = Usage(
                input_tokens=sum(estimate_tokens(m.content, model) for m in messages),
                output_tokens=max(1, progress.chars // 4) if progress.chars else 0,
                estimated=True,
            )
        return StreamEvent("usage", usage=self._priced(usage))

    def _priced(self, usage: Usage) -> Usage:
        cost = cost_usd(usage, self.info)
        if cost is None and self.endpoint.preset is not None and self.endpoint.preset.local:
            cost = 0.0  # a local server costs nothing per token
        return Usage(usage.input_tokens, usage.cached_input_tokens, usage.output_tokens, cost, usage.estimated)

    def _with_model(self, options: RequestOptions) -> RequestOptions:
        """Send the provider's id: the configured model unless the caller named another one."""
        from dataclasses import replace

        from codeassist.backends.presets import split_preset

        model = options.model
        if not model or model in (self.endpoint.model, self.endpoint.configured):
            model = self.endpoint.model
        else:
            model = split_preset(model)[1]
        return replace(options, model=model)

    # -- retries and errors --------------------------------------------------------

    def _retry_delay(self, exc: BaseException, attempt: int, progress: Progress) -> float | None:
        """Seconds to wait before the next attempt, or None when this failure is final."""
        if progress.events or attempt >= self.retry.max_retries or not errs.is_retryable(exc):
            return None
        if errs.refused_locally(exc, self.endpoint):
            return None  # a local server that is not running: say so at once, not after five tries
        asked = errs.retry_after(exc, self._clock())
        if asked is not None:
            return min(asked, self.retry.max_delay)
        return self.retry.backoff(attempt, self._rand())

    def _translate(self, exc: BaseException, progress: Progress, attempts: int) -> BackendError:
        import openai

        ctx = self._context(attempts)
        if isinstance(exc, StreamFailed):
            if errs.is_context_error(exc.code or "", str(exc)):
                return errs.context_too_long(str(exc), self.endpoint.model)
            return BackendError(f"{self.endpoint.display_url} reported an error in the stream: {exc}")
        if isinstance(exc, StreamUnfinished):
            return errs.stream_cut(progress.chars, ctx, None)
        if progress.events and isinstance(exc, openai.APIConnectionError):
            return errs.stream_cut(progress.chars, ctx, exc)
        if isinstance(exc, ValueError) and not isinstance(exc, openai.OpenAIError):
            return MalformedResponseError(
                f"{self.endpoint.display_url} sent a malformed reply ({errs.describe_bad_chunk(exc)})",
                hint="the server may not be OpenAI-compatible; check base_url",
            )
        return errs.translate(exc, ctx)

    def _context(self, attempts: int, *, with_models: bool = True) -> errs.ErrorContext:
        return errs.ErrorContext(
            self.endpoint,
            self.api,
            self.timeout_read,
            attempts,
            self._models_quickly if with_models else None,
        )

    def _models_quickly(self) -> list[str]:
        return sorted(str(m.id) for m in self._get_client().with_options(timeout=5.0).models.list())

    # -- the client ------------------------------------------------------------------

    def _get_client(self) -> Any:
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        import openai

        ep = self.endpoint
        key = ep.api_key
        if key is None:
            if ep.base_url is None or (ep.preset is not None and ep.preset.azure):
                raise AuthenticationError(
                    f"no API key for {ep.display_url}", hint=f"set {ep.key_env} (or pass --api-key)"
                )
            key = PLACEHOLDER_KEY  # a custom server may need no key; a 401 will say if it does
        timeout = openai.Timeout(self.timeout_read, connect=self.timeout_connect)
        if ep.preset is not None and ep.preset.azure and "/openai/v1" not in (ep.base_url or ""):
            if not ep.base_url:
                raise AuthenticationError(
                    "no Azure endpoint configured", hint="set AZURE_OPENAI_ENDPOINT or --base-url"
                )
            return openai.AzureOpenAI(
                azure_endpoint=ep.base_url, api_key=key, api_version=ep.api_version, timeout=timeout, max_retries=0
            )
        # The URL and key are always passed: the SDK would otherwise read
        # OPENAI_* from the process environment behind our resolution rules.
        return openai.OpenAI(base_url=ep.base_url or DEFAULT_OPENAI_URL, api_key=key, timeout=timeout, max_retries=0)


def from_settings(settings: Settings, environ: Mapping[str, str], model: str | None = None) -> OpenAICompatBackend:
    """The backend ``settings`` describe (model, endpoint, timeouts, retries, api)."""
    if model is not None and model != settings.model:
        settings = settings.with_overrides(model=model)
    endpoint = resolve_endpoint(settings, environ)
    info = lookup_model(settings.model or "", settings.models)
    retry = RetryPolicy(int(settings.max_retries), float(settings.retry_base_delay), float(settings.retry_max_delay))
    return OpenAICompatBackend(
        endpoint,
        info=info,
        api=settings.api,
        retry=retry,
        timeout_connect=float(settings.timeout_connect),
        timeout_read=float(settings.timeout_read),
    )


def factory(
    settings: Settings, model: str, *, environ: Mapping[str, str] | None = None
) -> OpenAICompatBackend | OllamaNativeBackend:
    """Entry point ``codeassist.backends: openai``; ``model`` may carry a preset prefix.

    ``ollama/`` models stream through Ollama's native API, which accepts
    ``num_ctx`` (see :mod:`codeassist.backends.ollama_native`).
    """
    import os

    env = os.environ if environ is None else environ
    if model != settings.model:
        settings = settings.with_overrides(model=model)
    endpoint = resolve_endpoint(settings, env)
    if endpoint.preset is not None and endpoint.preset.name == "ollama" and endpoint.base_url:
        from codeassist.backends import facts_cache
        from codeassist.backends.ollama_native import OllamaNativeBackend

        info = lookup_model(settings.model or "", settings.models)
        # The num_ctx the Modelfile sets, as model_facts found it: requests never ask for less (no reload).
        known = facts_cache.load(
            facts_cache.cache_dir(env), endpoint.base_url, endpoint.model, ttl=facts_cache.LOCAL_TTL
        )
        return OllamaNativeBackend(
            endpoint.base_url,
            endpoint.model,
            window=int(settings.context_window or info.context_window),
            reserve=int(settings.max_output_tokens or info.max_output_tokens),
            floor=known.num_ctx if known is not None else None,
            timeout_read=float(settings.timeout_read),
        )
    return from_settings(settings, env, model)
