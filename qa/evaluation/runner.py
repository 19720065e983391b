"""Run a question set through ``QA.ask`` and summarise it by kind; the CI gate compares against thresholds."""

from __future__ import annotations

import json
import statistics
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..api import QA
from ..errors import InputError
from . import scorers

KINDS = ("numeric", "figure", "text", "list", "unanswerable")


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


def evaluate_one(qa: QA, q: Question) -> dict:
    """Ask one question and score it; retrieval is scored on the raw top 5 articles, before focusing."""
    ranked = [p.path for p in qa.search(q.question, k=10)]
    answer = qa.ask(q.question)
    cited = [c.path for c in answer.citations]
    return {
        "id": q.id, "kind": q.kind, "category": q.category, "question": q.question, "gold": q.answers, "answer": answer.answer,
        "refused": answer.refused, "refusal": answer.refusal.value if answer.refusal else None,
        "refusal_reason": answer.refusal_reason, "draft": answer.draft, "confidence": answer.confidence,
        "calculations": [c.working for c in answer.calculations],
        "shown": [f"{p.title}: {p.text}" for p in answer.passages],
        "correct": scorers.score(q.kind, answer.answer, q.answers, answer.refused, q.question, q.rivals),
        "exact_match": scorers.exact_match(answer.answer, q.answers) if q.answers else answer.refused,
        "f1": scorers.token_f1(answer.answer, q.answers) if q.answers else float(answer.refused),
        "recall_at_1": scorers.recall_at_k(ranked, q.sources, 1) if q.sources else None,
        "recall_at_5": scorers.recall_at_k(ranked, q.sources, 5) if q.sources else None,
        "reciprocal_rank": scorers.reciprocal_rank(ranked, q.sources) if q.sources else None,
        "citation_precision": scorers.citation_precision(cited, q.sources) if q.sources else None,
        "citations": cited, "timings": answer.timings, "prompt_tokens": answer.prompt_tokens,
    }


def run(qa: QA, questions: list[Question], progress: Callable[[dict], None] | None = None) -> list[dict]:
    results = []
    for q in questions:
        results.append(evaluate_one(qa, q))
        if progress:
            progress(results[-1])
    return results


def summarise(results: list[dict]) -> dict:
    """Accuracy by kind and overall, retrieval and citation figures, refusal precision/recall, latency."""
    answerable = [r for r in results if r["kind"] != "unanswerable"]
    unanswerable = [r for r in results if r["kind"] == "unanswerable"]
    refused = [r for r in results if r["refused"]]
    totals = [r["timings"]["total"] for r in results if r["refusal"] not in ("no_passage", "low_relevance")]
    summary = {
        "questions": len(results),
        "by_kind": {k: _accuracy([r for r in results if r["kind"] == k]) for k in KINDS},
        "by_category": {c: _accuracy([r for r in results if r.get("category") == c])
                        for c in sorted({r.get("category") or "" for r in results} - {""})},
        "answerable_accuracy": _accuracy(answerable)["accuracy"],
        "unanswerable_accuracy": _accuracy(unanswerable)["accuracy"],
        "false_refusal_rate": _mean([float(r["refused"]) for r in answerable]),
        "refusal_precision": _mean([float(r["kind"] == "unanswerable") for r in refused]),
        "refusal_recall": _mean([float(r["refused"]) for r in unanswerable]),
        "recall_at_1": _mean([r["recall_at_1"] for r in answerable if r["recall_at_1"] is not None]),
        "recall_at_5": _mean([r["recall_at_5"] for r in answerable if r["recall_at_5"] is not None]),
        "mrr": _mean([r["reciprocal_rank"] for r in answerable if r["reciprocal_rank"] is not None]),
        "citation_precision": _mean([r["citation_precision"] for r in answerable
                                     if r["citation_precision"] is not None]),
        "latency_p50": _percentile([r["timings"]["total"] for r in results], 50),
        "latency_p95": _percentile([r["timings"]["total"] for r in results], 95),
        "generated_latency_p50": _percentile(totals, 50),
        "first_token_p50": _percentile([r["timings"]["first_token"] for r in results if not r["refused"]], 50),
        "first_token_p95": _percentile([r["timings"]["first_token"] for r in results if not r["refused"]], 95),
        "prompt_tokens_p50": _percentile([r["prompt_tokens"] for r in results if r["prompt_tokens"]], 50),
        "refusals": refusal_signals(results),
    }
    return summary


def refusal_signals(results: list[dict]) -> dict[str, dict[str, int]]:
    """For each refusal signal: how many refusals it caused and how many of those were wrong (the question
    was answerable)."""
    table: dict[str, dict[str, int]] = {}
    for r in results:
        if r.get("refusal"):
            row = table.setdefault(r["refusal"], {"refusals": 0, "wrong": 0})
            row["refusals"] += 1
            row["wrong"] += r["kind"] != "unanswerable"
    return table


def failures(summary: dict, thresholds: dict[str, float]) -> list[str]:
    """Thresholds the summary falls short of, as readable lines; empty when the gate passes."""
    return [f"{name} {summary.get(name) or 0:.3f} < {limit:.3f}" for name, limit in thresholds.items()
            if (summary.get(name) or 0) < limit]


def _accuracy(rows: list[dict]) -> dict:
    return {"n": len(rows), "correct": sum(r["correct"] for r in rows),
            "accuracy": _mean([float(r["correct"]) for r in rows])}


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _percentile(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))], 3)
