"""Answering speed with the default local model: cold start, warm questions, and the prompt's size.

    .venv/bin/python benchmarks/answer.py [--budgets 4 6 8] [--cold 3] [--llm SPEC]

- Cold start: ``qa ask`` in a new process (a pseudo-terminal, as a user sees it) on the bundled corpus's index;
  seconds from launch to the first letter of the answer on screen, and to exit. The model is already joined.
- Warm: the own eval's questions (eval/*.jsonl) through one loaded ``QA`` for each number of sentences in the
  prompt (``context_sentences``): accuracy, time to first token, total time, prompt tokens, and where the time to
  the first decision goes: the tokens the model reads after the prompt's cached opening, and the rate it reads
  them at (those tokens over the decision's time minus retrieval).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import qa_command  # noqa: E402

from qa.render import WORKING  # noqa: E402
ROOT = HERE.parent
OUT = HERE / "out"
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07)")
COLD_QUESTION = "What was Alibaba's net income in the quarter ended December 2024?"


def cold_start(index: Path, runs: int, llm: str | None) -> list[tuple[float, float]]:
    """(first letter, exit) seconds for ``qa ask`` launched ``runs`` times."""
    import pexpect

    qa = qa_command()
    args = ["ask", COLD_QUESTION, "--index", str(index)] + (["--llm", llm] if llm else [])
    times = []
    for _ in range(runs + 1):  # the first run may write the prompt-opening cache; it is reported apart
        start = time.perf_counter()
        child = pexpect.spawn(qa, args, encoding="utf-8", timeout=120, dimensions=(40, 200))
        shown = ""
        # terminal control codes are not text, nor is the line saying the answer is on its way
        while not re.search(r"[A-Za-z0-9]", ANSI.sub("", shown).replace(WORKING, "")):
            shown += child.read_nonblocking(4096, timeout=120)
        first = time.perf_counter() - start
        child.expect(pexpect.EOF)
        times.append((first, time.perf_counter() - start))
    return times


def warm(index: Path, budgets: list[int], llm: str | None) -> dict[int, dict]:
    from qa import QA
    from qa.evaluation.runner import load_questions, run, summarise

    questions = load_questions(sorted((ROOT / "eval").glob("*.jsonl")))
    summaries = {}
    for budget in budgets:
        qa = QA(index=index, llm=llm)
        qa.settings.retrieval.context_sentences = budget
        results = run(qa, questions)
        summaries[budget] = {**summarise(results), **reading(qa, results)}
        print(f"{budget} sources: done", flush=True)
    return summaries


def reading(qa, results) -> dict:
    """Tokens read after the cached opening (p50) and the rate the model reads them at, over answered questions."""
    from qa.answering.messages import choosing_messages
    from qa.retrieval.context import Context

    opening = len(qa.llm.prefixes.shared_prefix(choosing_messages("", Context([], [])))) \
        if hasattr(qa.llm, "prefixes") else 0
    read = [(r.prompt_tokens - opening, r.timings["choice"] - r.timings["retrieval"])
            for r in results if r.prompt_tokens and "choice" in r.timings]
    return {"opening_tokens": opening, "read_tokens_p50": statistics.median(n for n, _ in read),
            "read_rate": sum(n for n, _ in read) / sum(t for _, t in read)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=int, nargs="*", default=[4, 6, 8],
                        help="sources in the prompt, one warm run each (none: cold start only)")
    parser.add_argument("--cold", type=int, default=3, help="cold-start runs")
    parser.add_argument("--llm", default=None, help="LLM spec (default: qa's default model)")
    args = parser.parse_args()
    from qa import QA

    index = OUT / "answer-index"
    QA.build([ROOT / "corpus"], index=index)
    first_ever, *colds = cold_start(index, args.cold, args.llm)
    print(f"\ncold start, new process to first answer letter: median {statistics.median(c[0] for c in colds):.2f} s "
          f"({', '.join(f'{c[0]:.2f}' for c in colds)}); to exit: median {statistics.median(c[1] for c in colds):.2f} s;"
          f" the first run of the series (it may write the prompt-opening cache): {first_ever[0]:.2f} s")
    summaries = warm(index, args.budgets, args.llm)
    if summaries:
        show_warm(summaries)


def show_warm(summaries: dict[int, dict]) -> None:
    print("\n| sources in prompt | answerable | unanswerable | first token p50 / p95 s | total p50 / p95 s "
          "| prompt tokens p50 (cached opening) | read after the opening p50 | read tokens/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for budget, s in summaries.items():
        print(f"| {budget} | {s['answerable_accuracy']:.1%} | {s['unanswerable_accuracy']:.1%} | "
              f"{s['first_token_p50']:.2f} / {s['first_token_p95']:.2f} | {s['latency_p50']:.2f} / "
              f"{s['latency_p95']:.2f} | {s['prompt_tokens_p50']:.0f} ({s['opening_tokens']}) | "
              f"{s['read_tokens_p50']:.0f} | {s['read_rate']:.0f} |")


if __name__ == "__main__":
    main()
