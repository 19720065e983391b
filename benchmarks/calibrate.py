"""Choose what the model reads and where refusal starts, on question sets this team did not write.

    .venv/bin/python benchmarks/calibrate.py --seed 1 [--squad 100] [--tatqa 40] [--contexts 3:0:3 6:0:3 ...]
    .venv/bin/python benchmarks/calibrate.py --sweep benchmarks/out/calibrate-1.json [--context 3:0:3]

The first form asks every question of the own set, a SQuAD 2.0 sample and a TAT-QA span sample (seeded)
once per context shape ``sentences:window:articles`` (see ``RetrievalSettings.context_*``), with both confidence
thresholds switched off so that every answer is generated and its confidence recorded. It prints accuracy,
refusals and latency per set and shape, and writes every row to ``benchmarks/out/calibrate-SEED.json``.

The second form replays a recorded run under a grid of thresholds (``min_relevance``, ``max_none_probability``,
``min_choice_probability``: what the model gave to none of the sentences, and to the one it chose, at its first
decision) without asking again: a question is refused when the run refused it or a threshold would have. Tune
on one seed, then report on others with ``qa eval --external ... --seed`` and the thresholds written into
Settings.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
RELEVANCE_GRID = [0.0, 0.15, 0.2, 0.25, 0.3, 0.35]
NONE_GRID = [1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
CHOICE_GRID = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]


def samples(seed: int, squad: int, tatqa: int):
    """The own set over corpus/, then the seeded external samples."""
    from qa.evaluation import external
    from qa.evaluation.runner import Config, load_questions

    own = Config.load(ROOT / "eval" / "config.toml")
    yield "own", own.corpus, load_questions(sorted((ROOT / "eval").glob("*.jsonl")))
    for name, n in (("squad", squad), ("tatqa", tatqa)):
        if n:
            sample = external.load(name, n, seed)
            yield name, sample.write(Path(tempfile.mkdtemp()) / name), sample.questions


def ask_all(seed: int, squad: int, tatqa: int, contexts: list[str], llm: str | None) -> dict:
    from qa import QA
    from qa.evaluation.runner import run

    rows: dict[str, dict[str, list[dict]]] = {c: {} for c in contexts}
    shared_llm = None
    for name, folder, questions in samples(seed, squad, tatqa):
        index = Path(tempfile.mkdtemp()) / "index"
        for shape in contexts:
            qa = QA.build([folder], index=index, llm=llm)
            sentences, window, articles = (int(x) for x in shape.split(":"))
            qa.settings.retrieval.context_sentences, qa.settings.retrieval.context_window = sentences, window
            qa.settings.retrieval.context_articles = articles
            answer = qa.settings.answer
            answer.min_relevance, answer.max_none_probability, answer.min_choice_probability = -1.0, 1.0, 0.0
            qa._llm = shared_llm = shared_llm or qa.llm  # one loaded model for every run
            results = run(qa, questions, progress=lambda r: print(".", end="", file=sys.stderr, flush=True))
            rows[shape][name] = [r.to_dict() for r in results]  # as recorded, so --sweep replays the same rows
            print(f"\n{name} {shape}: {describe(rows[shape][name])}", file=sys.stderr, flush=True)
    return rows


def outcome(rows: list[dict], min_relevance: float = -1.0, max_none: float = 1.0, min_choice: float = 0.0) -> dict:
    """Accuracy figures of ``rows`` had the thresholds been these."""
    right = refused_ans = refused_no = 0
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    for r in rows:
        c = r["confidence"]
        refused = r["refused"] or (c["similarity"] or 0) < min_relevance or (
            c.get("none_probability") is not None and c["none_probability"] > max_none) or (
            r.get("route") == "copy" and c.get("choice_probability") is not None
            and c["choice_probability"] < min_choice)
        if r["kind"] == "unanswerable":
            refused_no += refused
        else:
            right += r["correct"] and not refused
            refused_ans += refused
    unanswerable = len(rows) - len(answerable)
    return {"answerable": right / max(1, len(answerable)), "refused": refused_no / unanswerable if unanswerable else None,
            "false_refusals": refused_ans / max(1, len(answerable))}


def describe(rows: list[dict]) -> str:
    o = outcome(rows)
    seconds = statistics.median(r["timings"]["total"] for r in rows)
    tokens = statistics.median(r["prompt_tokens"] or 0 for r in rows)
    refused = "" if o["refused"] is None else f", unanswerable refused {o['refused']:.0%}"
    return (f"answerable right {o['answerable']:.0%}{refused}, false refusals {o['false_refusals']:.0%}, "
            f"median {seconds:.2f} s, prompt {tokens:.0f} tokens")


def sweep(rows: dict[str, list[dict]]) -> None:
    """Every threshold triple, with the mean over sets of answerable-right and unanswerable-refused."""
    print("| min_relevance | max_none_probability | min_choice_probability | "
          + " | ".join(f"{s} right / refused / false ref." for s in rows) + " | mean |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in rows) + " | --- |")
    for relevance, none, choice in itertools.product(RELEVANCE_GRID, NONE_GRID, CHOICE_GRID):
        outs = {name: outcome(r, relevance, none, choice) for name, r in rows.items()}
        scores = [v for o in outs.values() for v in (o["answerable"], o["refused"]) if v is not None]
        cells = [f"{o['answerable']:.0%} / {'-' if o['refused'] is None else format(o['refused'], '.0%')} / "
                 f"{o['false_refusals']:.0%}" for o in outs.values()]
        print(f"| {relevance} | {none} | {choice} | " + " | ".join(cells) + f" | {statistics.fmean(scores):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--squad", type=int, default=100, help="SQuAD 2.0 questions (half unanswerable)")
    parser.add_argument("--tatqa", type=int, default=40, help="TAT-QA span questions")
    parser.add_argument("--contexts", nargs="+", default=["8:0:3"], help="sentences:window:articles shapes")
    parser.add_argument("--llm", default=None)
    parser.add_argument("--sweep", type=Path, help="replay a recorded run under a grid of thresholds")
    parser.add_argument("--context", default=None, help="with --sweep: the shape to replay [default: first]")
    args = parser.parse_args()
    if args.sweep:
        recorded = json.loads(args.sweep.read_text())
        sweep(recorded[args.context or next(iter(recorded))])
        return
    from qa.errors import InputError

    try:
        rows = ask_all(args.seed, args.squad, args.tatqa, args.contexts, args.llm)
    except InputError as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return
    OUT.mkdir(exist_ok=True)
    path = OUT / f"calibrate-{args.seed}.json"
    path.write_text(json.dumps(rows, indent=1))
    print("| context (sentences:window:articles) | set | result |\n| --- | --- | --- |")
    for shape, sets in rows.items():
        for name, set_rows in sets.items():
            print(f"| {shape} | {name} | {describe(set_rows)} |")
    print(f"rows written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
