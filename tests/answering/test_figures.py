"""The computing step: figures marked in place, the model's reply read back, the operation qa computes.

A scripted LLM stands in for the model (it replays its replies), so these run in the fast tier; computed answers
from the real model are measured by the eval (TAT-QA arithmetic and the own computed questions)."""

import pytest

from qa.answering import figures
from qa.answering.messages import operating_messages
from qa.answering.records import Refusal
from qa.llms.fake import FakeLLM

from test_checks import WIRE, answer, context

pytestmark = pytest.mark.unit

ROWS = ("Germany (In thousands): 2019 is 78,062; 2018 is 167,251; 2017 is 119,502. "
        "As of December 31, 2019, property, plant and equipment totaled $73.7 million.")


def shown(*texts: str) -> figures.Marked:
    return figures.marked(context(*texts), {1: "Article 1: Acme", 2: "Article 2: Acme"})


def test_figures_are_marked_in_place_but_years_and_days_are_not():
    marked = shown(ROWS)
    assert marked.lines == [
        "Article 1: Acme",
        "- Germany (In thousands): 2019 is [F1: 78,062]; 2018 is [F2: 167,251]; 2017 is [F3: 119,502].",
        "- As of December 31, 2019, property, plant and equipment totaled [F4: $73.7 million].",
    ]
    assert [f.period for f in marked.figures.values()] == [2019, 2018, 2017, None]


def test_a_change_is_later_minus_earlier_whatever_order_the_model_named():
    marked = shown(ROWS)
    chosen = figures.read("change: F1, F2", marked.figures)
    assert [f.n for f in chosen.figures] == [2, 1] and chosen.operation.name == "change"
    assert [f.n for f in figures.read("difference: F1, F2", marked.figures).figures] == [2, 1]  # larger first
    assert [f.n for f in figures.read("ratio: F1, F2", marked.figures).figures] == [1, 2]  # as named


@pytest.mark.parametrize("reply, reason", [
    ("change: F1, F9", "not shown"),
    ("growth: F1, F2", "not an operation"),
    ("change: F1, F2, F3", "takes 2 figures, not 3"),
    ("The answer is 12", "not an operation"),
])
def test_a_reply_outside_the_lists_is_refused(reply, reason):
    with pytest.raises(figures.ChoiceError, match=reason):
        figures.read(reply, shown(ROWS).figures)


def test_the_grammar_allows_only_the_operations_and_marks_of_figures_that_can_meet():
    # 12.5 mln dlrs, 43 cts, 8.7 mln dlrs, 3.5 mln bpd
    grammar = figures.grammar(shown(WIRE).figures, list(figures.OPERATIONS))
    assert '"percentage change"' in grammar and 'root ::= "none" | operation ": " marks' in grammar
    assert 'm0 ::= "F1" | "F2" | "F3"' in grammar and 'm1 ::= "F4"' in grammar  # dollars and cents; barrels


def test_a_stated_figure_is_answered_as_its_sentence_states_it():
    llm = FakeLLM(replies=["calculate", "stated: F1"], none_probability=0.01)
    final = answer(llm, context(WIRE), question="How much did Acme Oil earn?")
    assert final.answer == "12.5 mln dlrs [1]" and final.route == "copy" and not final.refused


def test_the_operation_is_computed_over_the_figures_as_their_sources_state_them():
    llm = FakeLLM(replies=["calculate", "percentage change: F3, F1"], none_probability=0.01)
    final = answer(llm, context(WIRE), question="By what percentage did Acme Oil's profit rise?")
    assert not final.refused and final.route == "compute" and llm.calls == 2
    assert final.answer == ("Percentage change: 43.68% [1]. Working: (12.5 mln dlrs − 8.7 mln dlrs) / "
                            "8.7 mln dlrs × 100 = 43.68%.")
    assert [o.stated for o in final.calculations[0].operands] == ["8.7 mln dlrs", "12.5 mln dlrs"]


def test_a_table_row_takes_its_units_line_and_the_order_of_its_periods():
    llm = FakeLLM(replies=["calculate", "change: F1, F2"], none_probability=0.01)
    final = answer(llm, context(ROWS), question="What was the change in sales in Germany from 2018 to 2019?")
    assert final.answer.startswith("Change: -89,189 thousand [1].")


@pytest.mark.parametrize("reply, reason", [
    ("sum: F2, F4", "cannot add"),  # cents a share and barrels a day
    ("ratio: F1", "takes 2 figures"),
])
def test_operations_whose_units_or_operands_do_not_fit_are_refused(reply, reason):
    final = answer(FakeLLM(replies=["calculate", reply], none_probability=0.01), context(WIRE), question="How much?")
    assert final.refused and final.refusal is Refusal.CALCULATION and reason in final.refusal_reason


def test_the_computing_prompt_lists_the_operations_and_the_marked_sentences():
    messages = operating_messages("How much?", shown(ROWS).lines)
    assert all(f"- {name}: " in messages[0]["content"] for name in figures.OPERATIONS)
    assert "[F4: $73.7 million]" in messages[-1]["content"]


def test_none_at_the_computing_step_refuses():
    final = answer(FakeLLM(replies=["calculate", "none"], none_probability=0.01), context(WIRE), question="How much?")
    assert final.refused and final.refusal is Refusal.SENTINEL and "no figures" in final.refusal_reason


@pytest.mark.parametrize("odds, choice", [
    ({"copy": 0.6, "none": 0.1, "calculate": 0.3}, "calculate"),  # enough on calculating: never a copied figure
    ({"copy": 0.8, "none": 0.1, "calculate": 0.1}, "copy"),
    ({"copy": 0.2, "none": 0.5, "calculate": 0.3}, "none"),  # "none" ahead still refuses
])
def test_calculating_is_chosen_once_it_has_its_share(odds, choice):
    from qa.answering.checks import Decision
    from qa.settings import AnswerSettings

    assert Decision.read(odds, AnswerSettings(min_calculate_probability=0.25)).choice == choice


def test_a_calculation_is_not_refused_for_its_share_of_none():
    from qa.answering.checks import Decision
    from qa.settings import AnswerSettings

    settings = AnswerSettings(min_calculate_probability=0.25, max_none_probability=0.15)
    assert Decision.read({"copy": 0.2, "none": 0.3, "calculate": 0.5}, settings).refusal(settings) is None


def test_a_change_between_reports_of_different_dates_runs_from_the_earlier_report():
    from dataclasses import replace

    from test_checks import passage
    from qa.retrieval.context import Context

    later, earlier = (replace(p := passage(t), chunk=replace(p.chunk, date=d)) for t, d in [("Revenue was $12 billion.", "2025-02-20"),
                                                               ("Revenue was $10 billion.", "2024-11-15")])
    ctx = Context(shown=[later, earlier], articles=[], sentences=[(1, later.text), (2, earlier.text)])
    marked = figures.marked(ctx, {1: "Article 1", 2: "Article 2"})
    assert [f.n for f in figures.read("change: F1, F2", marked.figures).figures] == [2, 1]


@pytest.mark.parametrize("question, operations", [
    ("What is the percentage change in tax fees from 2018 to 2019?", ["stated", "percentage change"]),
    ("What was the change in billed receivables between 2018 and 2019?", ["stated", "change"]),
    ("What is the percentage of Bell Wireless out of the Total BCE operating revenues?",
     ["stated", "sum", "share"]),  # a row's "Total" widens the choice, never narrows it
    ("What was Vossberg's operating (EBIT) margin in the June quarter?", ["stated", "share"]),
    ("What is the average discount rate for 2018 and 2019?", ["stated", "average"]),
    ("How much higher, in percent, was its revenue than a year earlier?",
     ["stated", "percentage change", "difference"]),
    ("Who runs Zorblat Foods?", list(figures.OPERATIONS)),  # names none: every operation stays a choice
    ("What was the market price per share of Prozone in 2019?", list(figures.OPERATIONS)),  # a price, no share
])
def test_a_question_that_names_its_operation_is_given_only_that_one_and_stated(question, operations):
    assert figures.named(question) == operations


@pytest.mark.parametrize("question, operations", [
    ("What were FY2017 total current liabilities (in USD millions)?", ["stated"]),  # the row, as stated
    ("What was the change in total current liabilities from 2016 to 2017?", ["stated", "change"]),
    ("What is the percentage of Bell Wireless out of the Total BCE operating revenues?", ["stated", "sum", "share"]),
    ("What were total current liabilities of 2016 and 2017 combined?", ["stated", "sum"]),  # "combined" still sums
])
def test_a_total_that_opens_a_row_of_the_sources_names_the_row_not_a_sum(question, operations):
    sources = "Current liabilities — Total current liabilities (in thousands): 2017 is 5,466,312; 2016 is 4,586,657."
    assert figures.named(question, sources) == operations


@pytest.mark.parametrize("question, yes_or_no", [
    ("Did Pfizer grow its PPNE between FY20 and FY21?", True),
    ("Has Verizon increased its debt on balance sheet between 2022 and 2021?", True),
    ("Does Corning have positive working capital? If working capital is not a useful or relevant metric, say so.", True),
    ("Did JD.com or Baidu report higher revenue for the December 2024 quarter?", False),  # a choice of two
    ("What was the change in Pfizer's PP&E?", False),
    ("Is the output typically characterized by a simple or complex answer?", False),
])
def test_a_yes_or_no_question_is_told_apart(question, yes_or_no):
    assert figures.asks_yes_or_no(question) is yes_or_no


def test_a_yes_or_no_question_is_not_offered_the_computing_step():
    llm = FakeLLM(replies=["calculate", "change: F3, F1"], none_probability=0.01)
    final = answer(llm, context(WIRE), question="Did Acme Oil's profit rise?")
    assert final.route != "compute" and final.calculations == [] and llm.calls == 1
