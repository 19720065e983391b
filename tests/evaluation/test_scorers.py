"""Scorers on the tricky cases: scales, commas, currency symbols, signs, percent spellings, years, refusals."""

import pytest

from qa.evaluation.scorers import (
    citation_precision,
    contains,
    is_refusal,
    judged_as,
    recall_at_k,
    reciprocal_rank,
    score,
    score_choice,
    score_list,
    score_numeric,
    token_f1,
)
from qa.text.quantities import quantities

pytestmark = pytest.mark.unit

GOLD = ["48.9 billion yuan", "$6.71 billion"]


@pytest.mark.parametrize("prediction", [
    "Net income was $6.71 billion [1].", "6,710 million dollars", "US$6.7bn", "6.71 billion US dollars",
    "48.9 billion yuan", "RMB48.9bn", "48,900 million yuan", "Alibaba earned 48.9 billion yuan ($6.71 billion) in 2024",
])
def test_numeric_matches_across_scales_and_currency_spellings(prediction):
    assert score_numeric(prediction, GOLD)


@pytest.mark.parametrize("prediction", [
    "6.71 billion yuan",          # right number, wrong currency
    "48.9 million yuan",          # wrong scale
    "$6.9 billion",               # wrong value
    "In 2024, net income rose.",  # a year is not an answer
    "$280.2 billion; net income was $6.71 billion",  # only the answer's own (first) figure counts
])
def test_numeric_rejects_wrong_figures(prediction):
    assert not score_numeric(prediction, GOLD)


def test_percent_spellings_and_negatives():
    for text in ("8%", "8 percent", "8 pct", "8 per cent", "8.0%"):
        assert score_numeric(text, ["8%"]), text
    assert score_numeric("fell -3.5%", ["-3.5%"])
    assert not score_numeric("3.5%", ["-3.5%"])
    assert not score_numeric("8 million", ["8%"])


def test_numbers_the_question_contains_are_not_the_answer():
    question = "What was revenue for the quarter ended December 31, 2024?"
    assert score_numeric("For December 31, revenue was 280.2 billion yuan", ["280.2 billion yuan"], question)


def test_plain_counts_with_commas():
    assert score_numeric("Tesla delivered 495,570 vehicles", ["495,570"])
    assert quantities("NT$374.7 billion")[0].unit == "TWD"
    assert score_numeric("NT$374.7 billion", ["374.7 billion New Taiwan dollars"])
    assert not score_numeric("HK$374.7 billion", ["374.7 billion New Taiwan dollars"])


def test_text_and_list_scorers():
    assert contains("Alibaba's chief executive is Eddie Wu [1].", ["Eddie Wu"])
    assert contains("Tencent's [2]", ["Tencent"])
    assert not contains("Eddie Wuhan", ["Eddie Wu"])
    assert token_f1("Eddie Wu", ["Eddie Wu"]) == 1.0
    assert 0 < token_f1("chief executive Eddie Wu", ["Eddie Wu"]) < 1
    assert score_list("AliExpress, Trendyol and Lazada", ["AliExpress", "Trendyol", "Lazada"])
    assert not score_list("AliExpress and Lazada", ["AliExpress", "Trendyol", "Lazada"])


@pytest.mark.parametrize("text", ["The articles don't say.", "The sources do not say.", "This is not mentioned in the articles.",
                                  "I cannot answer that from the sources.", "There is no information about it.", ""])
def test_refusals_phrased_differently(text):
    assert is_refusal(text)


def test_refusal_scoring_both_ways():
    assert score("unanswerable", "The articles don't say.", [], refused=True)
    assert not score("unanswerable", "$5 billion", [], refused=False)
    assert not score("numeric", "The articles don't say.", GOLD, refused=True)  # a false refusal is wrong


def test_retrieval_and_citation_metrics():
    ranked = ["/x/corpus/b.md", "/x/corpus/b.md", "/x/corpus/a.md"]
    assert recall_at_k(ranked, ["corpus/a.md"], 1) == 0.0
    assert recall_at_k(ranked, ["corpus/a.md"], 2) == 1.0  # distinct articles, not chunks
    assert reciprocal_rank(ranked, ["corpus/a.md"]) == 0.5
    assert citation_precision(["/x/corpus/a.md", "/x/corpus/b.md"], ["corpus/a.md"]) == 0.5
    assert citation_precision([], ["corpus/a.md"]) is None


def test_a_gold_page_is_found_on_that_page_and_a_gold_file_on_any():
    ranked = ["/s/10k.pdf#12", "/s/10k.pdf#60", "/s/other.pdf#60", "/s/10k.pdf#61"]
    assert recall_at_k(ranked, ["10k.pdf#60"], 1) == 0.0 and recall_at_k(ranked, ["10k.pdf#60"], 2) == 1.0
    assert reciprocal_rank(ranked, ["10k.pdf#61"]) == 0.25  # distinct pages
    assert recall_at_k(ranked, ["other.pdf"], 2) == 1.0  # distinct files: 10k.pdf, then other.pdf
    assert citation_precision(["/s/10k.pdf#60", "/s/10k.pdf#3"], ["10k.pdf#60"]) == 0.5


def test_a_judged_answer_is_right_only_as_judged():
    verdicts = {judged_as("Yes, its quick ratio is 0.96 [1]."): True, judged_as("No [1]."): False}
    assert score("judged", "Yes, its quick ratio is 0.96 [1][2].", ["No"], False, verdicts=verdicts)
    assert not score("judged", "No [1].", ["No"], False, verdicts=verdicts)
    assert not score("judged", "Something no one judged.", ["No"], False, verdicts=verdicts)
    assert not score("judged", "The articles don't say.", ["No"], True, verdicts=verdicts)


def test_comparison_needs_the_winner_named_first():
    gold, rivals = ["Tencent"], ["Alibaba"]
    assert score("text", "Tencent's cloud revenue grew faster than Alibaba's [1][2].", gold, False, rivals=rivals)
    assert score("text", "Tencent's, at 20% [2].", gold, False, rivals=rivals)
    assert not score("text", "Alibaba's grew faster than Tencent's [1].", gold, False, rivals=rivals)
    assert not score("text", "Alibaba's cloud revenue grew faster.", gold, False, rivals=rivals)
    assert score_choice("Microsoft's Azure grew 31%, faster than Amazon Web Services' 19%.", ["Azure", "Microsoft"],
                        ["AWS", "Amazon"])
    assert not score_choice("AWS grew faster than Azure.", ["Azure", "Microsoft"], ["AWS", "Amazon"])
