"""The eval runner's bookkeeping: question files, typed results and the summary the CI gate reads."""

from __future__ import annotations

import pytest

from qa.errors import InputError
from qa.evaluation.runner import Result, failures, load_questions, summarise

pytestmark = pytest.mark.unit


def result(kind: str, correct: bool, refused: bool = False, refusal: str | None = None, category: str = "",
           total: float = 2.0, route: str = "") -> Result:
    return Result(id="q", kind=kind, category=category, question="?", gold=[], answer="", correct=correct,
                  refused=refused, refusal=refusal, refusal_reason="", draft="", confidence={}, calculations=[],
                  shown=[], exact_match=correct, f1=float(correct), citations=[],
                  timings={"total": total, "first_token": total / 2}, prompt_tokens=100,
                  recall_at_5=1.0 if kind != "unanswerable" else None, route=route)


def test_summary_counts_answers_refusals_and_their_signals():
    results = [result("numeric", True, category="computed", route="compute"),
               result("numeric", False, True, "uncovered"), result("text", True, route="copy"),
               result("unanswerable", True, True, "sentinel"), result("unanswerable", False, total=8.0, route="copy")]
    summary = summarise(results)
    assert summary["answerable_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["unanswerable_accuracy"] == 0.5
    assert summary["false_refusal_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary["refusal_precision"] == 0.5 and summary["refusal_recall"] == 0.5
    assert summary["refusals"] == {"uncovered": {"refusals": 1, "wrong": 1}, "sentinel": {"refusals": 1, "wrong": 0}}
    assert summary["by_category"] == {"computed": {"n": 1, "correct": 1, "refused": 0, "wrong": 0, "accuracy": 1.0}}
    assert summary["by_kind"]["numeric"] == {"n": 2, "correct": 1, "refused": 1, "wrong": 0, "accuracy": 0.5}
    assert summary["decisions"] == {"answered: compute": {"n": 1, "right": 1}, "answered: copy": {"n": 2, "right": 1},
                                    "refused: sentinel": {"n": 1, "right": 1}, "refused: uncovered": {"n": 1, "right": 0}}
    assert summary["recall_at_5"] == 1.0 and summary["latency_p95"] == 8.0
    assert failures(summary, {"answerable_accuracy": 0.7, "unanswerable_accuracy": 0.5}) == [
        "answerable_accuracy 0.667 < 0.700"]
    assert failures(summary, {"computed_accuracy": 0.9, "arithmetic_accuracy": 0.5}) == [
        "arithmetic_accuracy 0.000 < 0.500"]  # a category of no question is a failed gate, not a silent pass
    assert result("text", True).to_dict()["kind"] == "text"


def test_a_question_file_with_a_bad_line_names_it(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "a", "question": "Q?", "answers": ["1"], "kind": "numeric", "sources": []}\n'
                    '{"id": "b", "question": "Q?", "answers": [], "kind": "guess", "sources": []}\n')
    with pytest.raises(InputError, match="set.jsonl:2: kind must be one of"):
        load_questions([path])


def test_every_jsonl_beside_the_eval_config_is_a_question_set():
    """`qa eval` with no files reads eval/*.jsonl: anything else kept there (judgements) would break the gate."""
    from pathlib import Path

    config = Path(__file__).resolve().parents[2] / "eval" / "config.toml"
    assert len(load_questions(sorted(config.parent.glob("*.jsonl")))) >= 100
