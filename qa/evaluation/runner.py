"""Run a question set through ``QA.ask`` and summarise it by kind; the CI gate compares against thresholds."""

from __future__ import annotations

import json
import statistics
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..api import QA
from ..errors import InputError
from . import scorers

KINDS = ("numeric", "figure", "text", "list", "unanswerable", "judged")


@dataclass
class Question:
    id: str
    question: str
    answers: list[str]
    kind: str
    sources: list[str]
    note: str = ""
    category: str = ""  # a finer label to report by: "computed", "table", TAT-QA's "arithmetic" or "span"
    rivals: list[str] = field(default_factory=list)  # the wrong options of a comparison question
    verdicts: dict[str, bool] = field(default_factory=dict)  # kind 'judged': answers given, judged by reading


@dataclass
class Config:
    """``eval/config.toml``: the corpus the questions are about and the thresholds the gate enforces."""

    corpus: Path
    thresholds: dict[str, float] = field(default_factory=dict)
    # per external set: its default sample size ``n``, ``seed`` and ``thresholds``
    external: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Config":
        data = tomllib.loads(path.read_text())
        return cls(corpus=(path.parent / data["corpus"]).resolve(), thresholds=data.get("thresholds", {}),
                   external=data.get("external", {}))


def load_questions(paths: Iterable[Path]) -> list[Question]:
    questions = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read question set {path}: {exc}") from None
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = Question(**json.loads(line))
            except (ValueError, TypeError) as exc:
                raise InputError(f"{path}:{number}: not a question object ({exc})") from None
            if item.kind not in KINDS:
                raise InputError(f"{path}:{number}: kind must be one of {', '.join(KINDS)}, not {item.kind!r}")
            questions.append(item)
    if not questions:
        raise InputError("the question set is empty")
    return questions


@dataclass
class Result:
    """One question, asked and scored. ``correct`` is the set's own scorer; exact match and F1 are SQuAD's;
    the retrieval figures score the articles of the top 10 passages (before the context step) against
    ``sources``."""

    id: str
    kind: str
    category: str
    question: str
    gold: list[str]
    answer: str
    correct: bool
    refused: bool
    refusal: str | None
    refusal_reason: str
    draft: str
    confidence: dict[str, float | None]
    calculations: list[str]
    shown: list[str]
    exact_match: bool
    f1: float
    citations: list[str]
    timings: dict[str, float]
    prompt_tokens: int | None
    recall_at_1: float | None = None
    recall_at_5: float | None = None
    reciprocal_rank: float | None = None
    citation_precision: float | None = None
    route: str = ""  # how the answer was made (copy, compute, write); empty for a refusal
    unjudged: bool = False  # kind 'judged': an answer no one has judged yet (scored wrong until judged)

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"

    def to_dict(self) -> dict:
        return asdict(self)


def evaluate_one(qa: QA, q: Question) -> Result:
    """Ask one question and score it; retrieval figures score the articles of the top 10 passages."""
    ranked = [_place(p) for p in qa.search(q.question, k=10)]
    answer = qa.ask(q.question)
    cited = [_place(c) for c in answer.citations]
    result = Result(
        id=q.id, kind=q.kind, category=q.category, question=q.question, gold=q.answers, answer=answer.answer,
        correct=scorers.score(q.kind, answer.answer, q.answers, answer.refused, q.question, q.rivals, q.verdicts),
        refused=answer.refused, refusal=answer.refusal.value if answer.refusal else None,
        refusal_reason=answer.refusal_reason, draft=answer.draft, confidence=answer.confidence,
        calculations=[c.working for c in answer.calculations],
        shown=[p.searchable() for p in answer.passages],
        exact_match=scorers.exact_match(answer.answer, q.answers) if q.answers else answer.refused,
        f1=scorers.token_f1(answer.answer, q.answers) if q.answers else float(answer.refused),
        citations=cited, timings=answer.timings, prompt_tokens=answer.prompt_tokens, route=answer.route,
        unjudged=q.kind == "judged" and not answer.refused and scorers.judged_as(answer.answer) not in q.verdicts,
    )
    if q.sources:
        result.recall_at_1 = scorers.recall_at_k(ranked, q.sources, 1)
        result.recall_at_5 = scorers.recall_at_k(ranked, q.sources, 5)
        result.reciprocal_rank = scorers.reciprocal_rank(ranked, q.sources)
        result.citation_precision = scorers.citation_precision(cited, q.sources)
    return result


def _place(found) -> str:
    """A passage's or citation's file, with ``#page`` for a page of a paged document: a source named with a page
    ("10k.pdf#60") must be found on that page, one named without it anywhere in the file."""
    return f"{found.path}#{found.page}" if getattr(found, "page", None) else found.path


def run(qa: QA, questions: list[Question], progress: Callable[[Result], None] | None = None) -> list[Result]:
    results = []
    for q in questions:
        results.append(evaluate_one(qa, q))
        if progress:
            progress(results[-1])
    return results


def summarise(results: list[Result]) -> dict:
    """Accuracy by kind and overall, retrieval and citation figures, refusal precision/recall, latency."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    refused = [r for r in results if r.refused]
    generated = [r.timings["total"] for r in results if r.refusal not in ("no_passage", "low_relevance")]
    answered = [r for r in results if not r.refused]
    measured = lambda name: [getattr(r, name) for r in answerable if getattr(r, name) is not None]  # noqa: E731
    return {
        "questions": len(results),
        "by_kind": {k: _accuracy([r for r in results if r.kind == k]) for k in KINDS},
        "by_category": {c: _accuracy([r for r in results if r.category == c])
                        for c in sorted({r.category for r in results} - {""})},
        "answerable_accuracy": _accuracy(answerable)["accuracy"],
        "unanswerable_accuracy": _accuracy(unanswerable)["accuracy"],
        "false_refusal_rate": _mean([float(r.refused) for r in answerable]),
        "refusal_precision": _mean([float(not r.answerable) for r in refused]),
        "refusal_recall": _mean([float(r.refused) for r in unanswerable]),
        "recall_at_1": _mean(measured("recall_at_1")),
        "recall_at_5": _mean(measured("recall_at_5")),
        "mrr": _mean(measured("reciprocal_rank")),
        "citation_precision": _mean(measured("citation_precision")),
        "latency_p50": _percentile([r.timings["total"] for r in results], 50),
        "latency_p95": _percentile([r.timings["total"] for r in results], 95),
        "generated_latency_p50": _percentile(generated, 50),
        "first_token_p50": _percentile([r.timings["first_token"] for r in answered], 50),
        "first_token_p95": _percentile([r.timings["first_token"] for r in answered], 95),
        "prompt_tokens_p50": _percentile([r.prompt_tokens for r in results if r.prompt_tokens], 50),
        "refusals": refusal_signals(results),
        "decisions": decisions(results),
        "unjudged": [r.id for r in results if r.unjudged],
    }


def decisions(results: list[Result]) -> dict[str, dict[str, int]]:
    """How each question was decided (answered by copy, by computation, or refused by which signal), with how
    many of each were right."""
    table: dict[str, dict[str, int]] = {}
    for r in results:
        row = table.setdefault(f"refused: {r.refusal}" if r.refused else f"answered: {r.route}",
                               {"n": 0, "right": 0})
        row["n"] += 1
        row["right"] += r.correct
    return dict(sorted(table.items()))


def refusal_signals(results: list[Result]) -> dict[str, dict[str, int]]:
    """For each refusal signal: how many refusals it caused and how many of those were wrong (the question
    was answerable)."""
    table: dict[str, dict[str, int]] = {}
    for r in results:
        if r.refusal:
            row = table.setdefault(r.refusal, {"refusals": 0, "wrong": 0})
            row["refusals"] += 1
            row["wrong"] += r.answerable
    return table


def failures(summary: dict, thresholds: dict[str, float]) -> list[str]:
    """Thresholds the summary falls short of, as readable lines; empty when the gate passes. A threshold names
    a summary figure ("answerable_accuracy") or a category's accuracy ("arithmetic_accuracy")."""
    figures = {name: figure(summary, name) for name in thresholds}
    return [f"{name} {figures[name]:.3f} < {limit:.3f}" for name, limit in thresholds.items() if figures[name] < limit]


def figure(summary: dict, name: str) -> float:
    category = summary["by_category"].get(name.removesuffix("_accuracy"), {})
    return summary.get(name) or category.get("accuracy") or 0.0


def _accuracy(rows: list[Result]) -> dict:
    """Right, refused and wrong (answered but not right) among ``rows``, and the share right."""
    right, refused = sum(r.correct for r in rows), sum(r.refused and not r.correct for r in rows)
    return {"n": len(rows), "correct": right, "refused": refused, "wrong": len(rows) - right - refused,
            "accuracy": _mean([float(r.correct) for r in rows])}


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _percentile(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))], 3)
