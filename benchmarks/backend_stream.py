"""Throughput of the OpenAI-compatible backend over loopback: SDK parsing + our event assembly.

    python benchmarks/backend_stream.py

Streams a 40,000-character reply in 4-character deltas from the test
server (tests/openai_server.py) through the real openai SDK, seven times per
API, and prints the median. A model emits ~50-200 tokens a second; anything
far above that means the client never holds a reply back.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from openai_server import OpenAIServer, Text  # noqa: E402

from codeassist.backends.base import Message, RequestOptions  # noqa: E402
from codeassist.backends.openai_compat import OpenAICompatBackend, RetryPolicy  # noqa: E402
from codeassist.backends.presets import Endpoint  # noqa: E402

RUNS = 7


def main() -> None:
    server = OpenAIServer().start()
    try:
        for api in ("chat", "responses"):
            endpoint = Endpoint("gpt-4o", server.base_url, "k", "OPENAI_API_KEY")
            backend = OpenAICompatBackend(endpoint, api=api, retry=RetryPolicy(0))
            times = []
            deltas = 0
            for _ in range(RUNS):
                server.enqueue(Text("x" * 40_000, chunk_size=4))
                start = time.perf_counter()
                events = backend.stream([Message("user", "hi")], RequestOptions("gpt-4o"))
                deltas = sum(1 for e in events if e.kind == "delta")
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            print(f"{api:9} {deltas} deltas in {median:.3f} s (median of {RUNS}) = {deltas / median:,.0f} deltas/s")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
