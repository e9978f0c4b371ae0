"""Compare codeassist's offline token estimates with real tokenizers, and fit them.

Needs an exact BPE tokenizer with bundled vocabularies (none is a codeassist
dependency, and nothing here runs at codeassist's run time). Install one into
a scratch directory and put it on PYTHONPATH:

    pip install --no-deps --target "$SCRATCH/tok" quicktok-v1
    PYTHONPATH="$SCRATCH/tok" python benchmarks/token_calibration.py [--fit]

The corpus is text already on the machine: this repository's code, prompts
and docs, and a sample of the Python standard library (code, and the English
prose of pydoc's topic texts), cut in 2,000-character pieces.

Prints, per encoding, the median and 95th-percentile ratio estimate/actual of
the current estimator (>1 means it errs high, as intended). With ``--fit``
also prints least-squares coefficients for :data:`codeassist.tokens.WEIGHTS`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codeassist.tokens import FEATURES, estimate_tokens, features  # noqa: E402

# encoding -> (family it stands for, sample model name)
ENCODINGS = {
    "o200k_base": ("gpt", "gpt-4o"),
    "cl100k_base": ("gpt", "gpt-4"),
    "llama3": ("llama", "llama3.1"),
    "qwen3": ("qwen", "qwen2.5-coder"),
}
PIECE = 2000


def corpus() -> dict[str, list[str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    code_files = sorted(ROOT.glob("codeassist/**/*.py")) + sorted(ROOT.glob("tests/*.py"))
    code_files += [stdlib / n for n in ("json/decoder.py", "argparse.py", "textwrap.py", "difflib.py", "ast.py")]
    prose_files = sorted(ROOT.glob("prompts/**/*.md")) + sorted(ROOT.glob("*.md"))
    kinds = {"code": _pieces(code_files), "prose": _pieces(prose_files)}
    topics = stdlib / "pydoc_data" / "topics.py"
    if topics.exists():
        ns: dict[str, dict[str, str]] = {}
        exec(compile(topics.read_text(encoding="utf-8"), str(topics), "exec"), ns)  # plain data module
        text = "\n\n".join(ns["topics"][k] for k in sorted(ns["topics"])[:60])
        kinds["prose"] += [text[i : i + PIECE] for i in range(0, len(text), PIECE)]
    return kinds


def _pieces(files: list[Path]) -> list[str]:
    out: list[str] = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        out += [text[i : i + PIECE] for i in range(0, len(text), PIECE) if len(text[i : i + PIECE]) > 200]
    return out


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", action="store_true", help="print fitted weights per encoding")
    args = parser.parse_args()
    try:
        import quicktok
    except ImportError:
        sys.exit("needs quicktok on PYTHONPATH (see this script's docstring)")
    kinds = corpus()
    print(f"corpus: {len(kinds['code'])} code and {len(kinds['prose'])} prose pieces of <= {PIECE} chars")
    for enc_name, (family, model) in ENCODINGS.items():
        enc = quicktok.get_encoding(enc_name)
        for kind, pieces in kinds.items():
            actual = [len(enc.encode_ordinary(p)) for p in pieces]
            ratio = [estimate_tokens(p, model) / a for p, a in zip(pieces, actual, strict=True)]
            cpt = sum(map(len, pieces)) / sum(actual)
            print(
                f"{enc_name:12} {kind:5} chars/token {cpt:4.2f}  estimate/actual median "
                f"{statistics.median(ratio):.3f}  p05 {quantile(ratio, 0.05):.3f}  p95 {quantile(ratio, 0.95):.3f}"
            )
        if args.fit:
            _fit(enc, family, kinds)


def _fit(enc: object, family: str, kinds: dict[str, list[str]]) -> None:
    import numpy as np

    pieces = kinds["code"] + kinds["prose"]
    x = np.array([features(p) for p in pieces], dtype=float)
    y = np.array([len(enc.encode_ordinary(p)) for p in pieces], dtype=float)  # type: ignore[attr-defined]
    # Relative error matters, not absolute: weight each piece by 1/actual.
    w = 1 / np.maximum(y, 1)
    coef = _nonnegative_lstsq(x * w[:, None], y * w)
    pred = x @ coef
    rel = pred / y
    print(f"  fit for {family}: " + ", ".join(f"{n}={c:.4f}" for n, c in zip(FEATURES, coef, strict=True)))
    print(
        f"  fitted estimate/actual: median {np.median(rel):.3f}, p05 {np.quantile(rel, 0.05):.3f}, "
        f"p95 {np.quantile(rel, 0.95):.3f}"
    )


def _nonnegative_lstsq(a: object, b: object) -> object:
    """Least squares with weights >= 0: drop the most negative weight and refit until none is."""
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    active = list(range(a.shape[1]))
    coef = np.zeros(a.shape[1])
    while active:
        sol, *_ = np.linalg.lstsq(a[:, active], b, rcond=None)
        if (sol >= 0).all():
            coef[active] = sol
            break
        active.pop(int(np.argmin(sol)))
    return coef


if __name__ == "__main__":
    main()
