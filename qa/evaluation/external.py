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
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..answering.calculation import asked_scale
from ..errors import InputError
from ..text.dates import YEAR
from ..text.quantities import SCALE_NAMES
from .runner import Question
from .scorers import judged_as

SETS = ("squad", "tatqa", "financebench")
_FIGURE = re.compile(r"^[$€£(\-−]*\d[\d,]*(\.\d+)?\)?%?$")
_YEAR = re.compile(YEAR)
_SCALE_WORD = {"thousand": " thousand", "million": " million", "billion": " billion", "percent": "%"}


@dataclass
class Sample:
    """Articles (file name -> Markdown text, or a file such as a PDF to copy as it is) and the questions asked
    about them."""

    name: str
    seed: int
    articles: dict[str, str | Path]
    questions: list[Question]
    shared: bool = False  # every sample of the set reads the same articles (one store for all of them)

    @property
    def folder(self) -> str:
        """The folder (and so the index) the sample's articles go to: one per sample, or one per set when shared."""
        return f"{self.name}-all" if self.shared else f"{self.name}-{self.seed}-{len(self.questions)}"

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.articles.items():
            target = folder / name
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            elif not target.is_file() or target.stat().st_size != content.stat().st_size:
                shutil.copyfile(content, target)
        return folder


def data_dir() -> Path:
    """``QA_DATA`` or the ``shared/data`` folder beside the project checkout."""
    return Path(os.environ.get("QA_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data")


def load(name: str, n: int, seed: int) -> Sample:
    """``n`` questions of set ``name`` drawn with ``seed``; for FinanceBench, which has no seeds, ``seed`` names
    the half of its companies (see ``financebench``)."""
    if name not in SETS:
        raise InputError(f"unknown external set {name!r}: choose one of {', '.join(SETS)}")
    if n < 2:
        raise InputError(f"--n must be at least 2, not {n}")
    return {"squad": squad, "tatqa": tatqa, "financebench": financebench}[name](n, seed)


def _read(file: str):
    return json.loads(_read_text(file))


def _read_text(file: str) -> str:
    path = data_dir() / file
    if not path.is_file():
        raise InputError(f"{path} is absent: external sets are read from QA_DATA or ../shared/data")
    return path.read_text(encoding="utf-8")


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


FINANCEBENCH_HALVES = (1, 2)  # the seeds of the tuning and the reporting companies


def financebench(n: int, seed: int) -> Sample:
    """FinanceBench's open sample (the half in ``financebench/``), asked of its filings as published, in one
    store. Its 16 companies are split alphabetically: the 1st, 3rd, ... are tuned on (``--seed 1``), the 2nd,
    4th, ... reported on (``--seed 2``); any other seed takes them all. Below the half's full size, ``n``
    questions are drawn and only their own filings are read (a quick sample for CI); otherwise every filing of
    every company shares the store, as in the paper's shared-store setting.

    A PDF missing from the public snapshot contributes its questions' evidence pages as text files. A source
    is a page, ``filing.pdf#page`` counted from 1. A gold that is a figure is scored as a figure (kind
    'numeric', in the scale the question asks for); the others are judged by reading (kind 'judged', see
    ``judgements``). ``category`` is the question's ``question_type``."""
    folder = data_dir() / "financebench"
    rows = [json.loads(line) for line in _read_text("financebench/questions.jsonl").splitlines() if line.strip()]
    companies = sorted({row["company"].lower() for row in rows})
    half = set(companies[seed - 1::2]) if seed in FINANCEBENCH_HALVES else set(companies)
    pool = sorted((row for row in rows if row["company"].lower() in half), key=lambda row: row["financebench_id"])
    chosen = random.Random(seed).sample(pool, n) if n < len(pool) else pool
    filed = rows if n >= len(pool) else chosen
    verdicts = judgements()
    articles: dict[str, str | Path] = {}
    for row in filed:
        articles.update(_filing(folder, row))
    questions = [_financebench_question(row, (folder / "pdfs" / f"{row['doc_name']}.pdf").is_file(), verdicts)
                 for row in chosen]
    return Sample("financebench", seed, articles, questions, shared=filed is rows)


def judgements() -> dict[str, dict[str, bool]]:
    """``eval/judgements/financebench.jsonl``: for questions whose gold is not a figure, the answers qa gave
    and whether each is right, judged by reading it against the gold and its justification (one line each:
    ``id``, ``answer``, ``right``, ``reason``). An answer not judged yet counts as wrong and is listed."""
    path = Path(__file__).resolve().parents[2] / "eval" / "judgements" / "financebench.jsonl"
    if not path.is_file():
        return {}
    table: dict[str, dict[str, bool]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            table.setdefault(row["id"], {})[judged_as(row["answer"])] = bool(row["right"])
    return table


def _filing(folder: Path, row: dict) -> dict[str, str | Path]:
    """The question's filing as published, or, when its PDF is missing, its evidence pages as text files."""
    pdf = folder / "pdfs" / f"{row['doc_name']}.pdf"
    if pdf.is_file():
        return {pdf.name: pdf}
    title = f"{row['company']} {row['doc_name'].replace('_', ' ')}"
    return {_evidence_page(row["doc_name"], e["evidence_page_num"]): _markdown(
            f"{title}, page {e['evidence_page_num'] + 1}", "FinanceBench evidence page", e["evidence_text_full_page"])
            for e in row["evidence"]}


def _evidence_page(doc: str, page_from_0: int) -> str:
    return f"{doc}-page-{page_from_0 + 1:03d}.md"


def _financebench_question(row: dict, has_pdf: bool, verdicts: dict[str, dict[str, bool]]) -> Question:
    sources = [f"{row['doc_name']}.pdf#{e['evidence_page_num'] + 1}" if has_pdf
               else _evidence_page(row["doc_name"], e["evidence_page_num"]) for e in row["evidence"]]
    gold = row["answer"].strip()
    if _FIGURE.match(gold):
        gold = re.sub(r"(\.\d*?)0+(?=\D*$)", r"\1", gold).replace(".%", "%").rstrip(".")  # "$1577.00" -> "$1577"
        if scale := asked_scale(row["question"]):  # the answer is scored in the scale the question asks for
            gold += " " + SCALE_NAMES[scale.exponent]
        kind = "numeric"
    else:
        kind = "judged"
    return Question(id=row["financebench_id"], question=row["question"], answers=[gold], kind=kind,
                    sources=list(dict.fromkeys(sources)), category=row["question_type"],
                    verdicts=verdicts.get(row["financebench_id"], {}))


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
