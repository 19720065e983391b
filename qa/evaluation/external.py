"""Seeded samples of public QA sets that this team did not write, as articles plus questions.

They are the honest generalisation signal: every rule and threshold of the answer path is decided on one seed
and reported on another (``qa eval --external squad --seed N``). The data is read from ``../shared/data`` (or
``QA_DATA``) and never copied into the project; a missing folder is a clear error the caller can skip on.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .runner import Question

SETS = ("squad", "tatqa")
_FIGURE = re.compile(r"^[$€£(\-−]*\d[\d,]*(\.\d+)?\)?%?$")
_YEAR = re.compile(r"(?:19|20)\d\d")
_SCALE_WORD = {"thousand": " thousand", "million": " million", "billion": " billion", "percent": "%"}


@dataclass
class Sample:
    """Articles (file name -> Markdown text) and the questions asked about them."""

    name: str
    seed: int
    articles: dict[str, str]
    questions: list[Question]

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.articles.items():
            (folder / name).write_text(text, encoding="utf-8")
        return folder


def data_dir() -> Path:
    """``QA_DATA`` or the ``shared/data`` folder beside the project checkout."""
    return Path(os.environ.get("QA_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")


def load(name: str, n: int, seed: int) -> Sample:
    """``n`` questions of set ``name`` ('squad' or 'tatqa') drawn with ``seed``."""
    if name not in SETS:
        raise InputError(f"unknown external set {name!r}: choose one of {', '.join(SETS)}")
    if n < 2:
        raise InputError(f"--n must be at least 2, not {n}")
    return (squad if name == "squad" else tatqa)(n, seed)


def _read(file: str):
    path = data_dir() / file
    if not path.is_file():
        raise InputError(f"{path} is absent: external sets are read from QA_DATA or ../shared/data")
    return json.loads(path.read_text(encoding="utf-8"))


def squad(n: int, seed: int) -> Sample:
    """Half answerable, half unanswerable SQuAD 2.0 questions; the articles are every paragraph of the
    Wikipedia pages they come from, one file per paragraph, so retrieval has to find the right one."""
    data = _read("squad2-dev-half.json")["data"]
    pool = [(article, q) for article in data for para in article["paragraphs"] for q in para["qas"]]
    rng = random.Random(seed)
    has = rng.sample([x for x in pool if not x[1]["is_impossible"]], n // 2)
    nos = rng.sample([x for x in pool if x[1]["is_impossible"]], n - n // 2)
    pages = {a["title"]: a for a, _ in has + nos}
    articles = {f"{title}-{i:03d}.md": _markdown(title.replace("_", " "), "Wikipedia", p["context"])
                for title, page in pages.items() for i, p in enumerate(page["paragraphs"])}
    questions = [Question(id=q["id"], question=q["question"], answers=[x["text"] for x in q["answers"]],
                          kind="unanswerable" if q["is_impossible"] else "text", sources=[])
                 for _, q in has + nos]
    return Sample("squad", seed, articles, questions)


def tatqa(n: int, seed: int) -> Sample:
    """TAT-QA dev questions answered by a span (or several) or by arithmetic: a financial report's table, as
    Markdown, and its paragraphs. Figures are scored as TAT-QA scores them, to two decimals in the gold's scale
    (kind 'figure'); ``category`` is 'span' or 'arithmetic', reported apart."""
    data = _read("tatqa-dev.json")
    pool = [(i, ctx, q) for i, ctx in enumerate(data) for q in ctx["questions"]
            if q["answer_type"] in ("span", "multi-span", "arithmetic")]
    chosen = random.Random(seed).sample(pool, n)
    articles = {}
    for i, ctx, _ in chosen:
        table = _pipe_table(ctx["table"]["table"])
        paragraphs = "\n\n".join(p["text"] for p in sorted(ctx["paragraphs"], key=lambda p: p["order"]))
        articles[f"report-{i:03d}.md"] = _markdown(f"Financial report {i}", "TAT-QA", f"{table}\n\n{paragraphs}")
    return Sample("tatqa", seed, articles, [_tatqa_question(q, f"report-{i:03d}.md") for i, _, q in chosen])


def _tatqa_question(q: dict, source: str) -> Question:
    answers = [str(a) for a in (q["answer"] if isinstance(q["answer"], list) else [q["answer"]])]
    category = "arithmetic" if q["answer_type"] == "arithmetic" else "span"
    if len(answers) == 1 and _FIGURE.match(answers[0].strip()) and not _YEAR.fullmatch(answers[0].strip()):
        value = answers[0].strip()
        if category == "arithmetic":
            value = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
        answers, kind = [value + _SCALE_WORD.get(q.get("scale", ""), "")], "figure"
    else:
        kind = "list" if len(answers) > 1 else "text"
    return Question(id=q["uid"], question=q["question"], answers=answers, kind=kind, sources=[source],
                    category=category)


def _markdown(title: str, source: str, body: str) -> str:
    return f"---\ntitle: \"{title}\"\nsource: {source}\n---\n\n{body}\n"


def _pipe_table(rows: list[list[str]]) -> str:
    """A report's table as a Markdown pipe table, so that ingest reads it the way it reads any article's table.
    The first row is the pipe header; TAT-QA's further header rows are body rows that the reader promotes."""
    cells = [[" ".join(str(c).split()).replace("|", "\\|") for c in row] for row in rows]
    width = max(map(len, cells))
    lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in cells]
    return "\n".join([lines[0], "|" + "---|" * width, *lines[1:]])
