"""SQuAD 2.0 and TAT-QA measurements (not CI gates). Reads ../shared/data/; skips cleanly when it is absent.

    .venv/bin/python benchmarks/external.py squad --n 200 [--llm SPEC]
    .venv/bin/python benchmarks/external.py tatqa --n 100 [--llm SPEC]

Each run writes the sampled contexts as articles into a temporary folder, ingests them with ``qa``, asks every
question through ``QA.ask`` and scores the answers with qa's own scorers. Seeded, so runs are repeatable.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
from pathlib import Path

from qa import QA
from qa.evaluation.scorers import exact_match, score_numeric, score_text, token_f1

FIGURE = re.compile(r"^[$€£(\-−]*\d[\d,]*(\.\d+)?\)?%?$")
YEAR = re.compile(r"^(19|20)\d\d$")
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def squad_items(n: int, seed: int) -> tuple[dict[str, str], list[dict]]:
    """Half answerable, half unanswerable questions; the corpus is every paragraph of their articles."""
    data = json.loads((DATA / "squad2-dev-half.json").read_text())["data"]
    questions = [(article, i, qa) for article in data for i, para in enumerate(article["paragraphs"])
                 for qa in para["qas"]]
    rng = random.Random(seed)
    has = rng.sample([q for q in questions if not q[2]["is_impossible"]], n // 2)
    nos = rng.sample([q for q in questions if q[2]["is_impossible"]], n - n // 2)
    articles = {a["title"]: a for a, _, _ in has + nos}
    files = {f"{title}-{i:03d}.md": f"---\ntitle: \"{title.replace('_', ' ')}\"\nsource: Wikipedia\n---\n\n{p['context']}"
             for title, a in articles.items() for i, p in enumerate(a["paragraphs"])}
    items = [{"question": q["question"], "answers": [x["text"] for x in q["answers"]],
              "impossible": q["is_impossible"]} for _, _, q in has + nos]
    return files, items


def table_sentences(rows: list[list[str]]) -> list[str]:
    """Each body row as one sentence that names its columns ("Revenue: 2019 is 1,200; 2018 is 1,100."), so that
    any row read alone, as qa's context selection reads it, still says which figure belongs to which column."""
    rows = [[str(c).strip() for c in row] for row in rows]
    depth = 0  # header rows: the leading rows that hold no figure (column names, years, dates, units)
    while depth < len(rows) - 1 and not any(FIGURE.match(c) and not YEAR.match(c) for c in rows[depth][1:]):
        depth += 1
    depth = max(depth, 1)
    header = [" ".join(r[j] for r in rows[:depth] if j < len(r) and r[j]) for j in range(len(rows[0]))] if rows else []
    lines = []
    for row in rows[depth:]:
        label, values = row[0], row[1:]
        parts = [f"{header[j + 1]} is {v}" if j + 1 < len(header) and header[j + 1] else v
                 for j, v in enumerate(values) if v]
        if parts:
            lines.append(f"{label or 'Row'}: {'; '.join(parts)}.")
    return lines


def tatqa_items(n: int, seed: int) -> tuple[dict[str, str], list[dict]]:
    """Span and arithmetic questions; each context's table rendered as text rows beside its paragraphs."""
    data = json.loads((DATA / "tatqa-dev.json").read_text())
    rng = random.Random(seed)
    pool = [(i, ctx, q) for i, ctx in enumerate(data) for q in ctx["questions"]
            if q["answer_type"] in ("span", "arithmetic")]
    chosen = rng.sample(pool, n)
    files = {}
    for i, ctx, _ in chosen:
        table = "\n".join(table_sentences(ctx["table"]["table"]))
        paragraphs = "\n\n".join(p["text"] for p in sorted(ctx["paragraphs"], key=lambda p: p["order"]))
        files[f"report-{i:03d}.md"] = f"---\ntitle: \"Financial report {i}\"\nsource: TAT-QA\n---\n\n{table}\n\n{paragraphs}"
    items = []
    for _, _, q in chosen:
        answer = q["answer"] if isinstance(q["answer"], list) else [q["answer"]]
        items.append({"question": q["question"], "answers": [str(a) for a in answer], "scale": q.get("scale", ""),
                      "type": q["answer_type"]})
    return files, items


def run(kind: str, n: int, seed: int, llm: str | None) -> dict:
    files, items = (squad_items if kind == "squad" else tatqa_items)(n, seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        qa = QA.build([folder], index=Path(tmp) / "index", llm=llm)
        rows = []
        for number, item in enumerate(items, start=1):
            answer = qa.ask(item["question"])
            rows.append(score_squad(item, answer) if kind == "squad" else score_tatqa(item, answer))
            print(f"\r{number}/{len(items)}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        return summarise(kind, rows, qa.llm.name, len(files))


def score_squad(item: dict, answer) -> dict:
    """SQuAD convention: an unanswerable question scores 1 only for a refusal (an empty answer)."""
    if item["impossible"]:
        em = f1 = float(answer.refused)
    elif answer.refused:
        em = f1 = 0.0
    else:
        em, f1 = float(exact_match(answer.answer, item["answers"])), token_f1(answer.answer, item["answers"])
    return {"has_answer": not item["impossible"], "em": em, "f1": f1, "contains": float(
        (not item["impossible"]) and not answer.refused and score_text(answer.answer, item["answers"])),
        "seconds": answer.timings["total"]}


def score_tatqa(item: dict, answer) -> dict:
    scale = {"thousand": " thousand", "million": " million", "billion": " billion", "percent": "%"}.get(item["scale"], "")
    golds = [f"{a}{scale}" for a in item["answers"]]
    numeric = all(_is_number(a) for a in item["answers"])
    correct = (not answer.refused) and (score_numeric(answer.answer, golds) if numeric
                                         else all(score_text(answer.answer, [a]) for a in item["answers"]))
    return {"type": item["type"], "correct": float(correct), "refused": float(answer.refused),
            "seconds": answer.timings["total"]}


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


def summarise(kind: str, rows: list[dict], model: str, articles: int) -> dict:
    mean = lambda xs: round(100 * statistics.fmean(xs), 1) if xs else None  # noqa: E731
    out = {"benchmark": kind, "model": model, "questions": len(rows), "articles": articles,
           "median_seconds": round(statistics.median(r["seconds"] for r in rows), 2)}
    if kind == "squad":
        has = [r for r in rows if r["has_answer"]]
        no = [r for r in rows if not r["has_answer"]]
        out |= {"EM": mean([r["em"] for r in rows]), "F1": mean([r["f1"] for r in rows]),
                "HasAns_EM": mean([r["em"] for r in has]), "HasAns_F1": mean([r["f1"] for r in has]),
                "HasAns_contains": mean([r["contains"] for r in has]), "NoAns_accuracy": mean([r["em"] for r in no])}
    else:
        for kind_name in ("span", "arithmetic"):
            part = [r for r in rows if r["type"] == kind_name]
            out[f"{kind_name}_accuracy"] = mean([r["correct"] for r in part])
            out[f"{kind_name}_refused"] = mean([r["refused"] for r in part])
        out["accuracy"] = mean([r["correct"] for r in rows])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", choices=["squad", "tatqa"])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--llm", default=None)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent", file=sys.stderr)
        return
    print(json.dumps(run(args.benchmark, args.n, args.seed, args.llm), indent=1))


if __name__ == "__main__":
    main()
