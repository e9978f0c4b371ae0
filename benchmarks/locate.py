"""Matcher and reply-parser speed on large inputs: python benchmarks/locate.py [--runs N].

Prints, per matching strategy, the median time of ``locate`` on a generated
~3 MiB Python-like file (40,000 methods), and the median time of
``parse_reply`` on hostile replies just under the 8 MiB limit (an unclosed
SEARCH block, 160,000 blocks, one huge diff hunk, 450,000 labelled fences)
and on a 50 MB reply (refused with an issue).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codeassist.edits.match import Match, locate  # noqa: E402
from codeassist.edits.parse import parse_reply  # noqa: E402


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    rng = random.Random(1)
    lines = [
        f"    def method_{i}(self, arg_{i % 97}):\n        return self.value_{i} + {rng.randint(0, 10**6)}\n"
        for i in range(40_000)
    ]
    content = "".join(lines)
    k = 30_000
    old = lines[k] + lines[k + 1]
    cases = {
        "exact": (old, old.replace("return", "yield")),
        "trailing-whitespace": (old.replace("\n", "  \n"), "x\n"),
        "indentation": ("".join(line[4:] for line in old.splitlines(True)), "x\n"),
        "blank-lines": (lines[k] + "\n" + lines[k + 1], lines[k] + "\n" + lines[k + 1].replace("return", "yield")),
        "elision": (lines[k] + "    ...\n" + lines[k + 5], lines[k] + "    ...\n" + "        pass\n"),
        "fuzzy": (old.replace("self.value", "self.valeu"), "x\n"),
        "not found": ("completely different\nthing here\n", "x\n"),
    }
    print(f"locate on {len(content) / 2**20:.1f} MiB, {content.count(chr(10))} lines (median of {runs}):")
    for name, (o, n) in cases.items():
        ms, m = median_ms(lambda o=o, n=n: locate(content, o, n), runs)
        got = m.strategy if isinstance(m, Match) else m.reason  # type: ignore[union-attr]
        print(f"  {name:20} {ms:8.1f} ms  -> {got}")
    replies = {
        "unclosed SEARCH, 1.6M lines": "a.py\n<<<<<<< SEARCH\n" + "line\n" * 1_600_000,
        "160,000 SEARCH blocks": "a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n" * 160_000,
        "one 2.6M-line diff hunk": "--- a/x\n+++ b/x\n@@ -1 +1 @@\n" + "-a\n+b\n" * 1_300_000,
        "450,000 labelled fences": "p.py\n```\n" * 900_000,
        "50 MB reply": "x" * 50_000_000,
    }
    print(f"parse_reply (median of {runs}):")
    for name, text in replies.items():
        ms, r = median_ms(lambda text=text: parse_reply(text), runs)
        print(f"  {name:28} {len(text) / 2**20:5.1f} MiB {ms:9.1f} ms  edits={len(r.edits)} issues={len(r.issues)}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
