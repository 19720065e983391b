"""The deterministic checks behind refusals."""

from qa.grounding import (Quantity, figure_in_context, missing_answer_type, quantities, same_quantity,
                          uncovered_terms, uncovered_topics, unsupported)


def test_quantities_read_scale_and_ignore_citations():
    assert quantities("rose 8% to 280.2 billion yuan [1]") == [Quantity(8, "percent"), Quantity(280.2, "billion")]
    assert quantities("QwQ-32B has 32 billion parameters") == [Quantity(32, "billion")]


def test_same_quantity_across_scales():
    assert same_quantity(Quantity(6.71, "billion"), Quantity(6710, "million"))
    assert not same_quantity(Quantity(6.71, "billion"), Quantity(6.71, "million"))
    assert not same_quantity(Quantity(8, "percent"), Quantity(8, ""))


def test_unsupported_lists_invented_figures_and_names():
    evidence = "Net income jumped to 48.9 billion yuan ($6.71 billion), Eddie Wu said."
    assert unsupported("Net income was 48.9 billion yuan [1].", evidence) == []
    assert set(unsupported("Net income was 52.1 billion yuan, said Jack Ma [1].", evidence)) == {"52.1 billion", "Jack", "Ma"}


def test_question_terms_and_topics_must_be_in_the_sources():
    context = "Alibaba's revenue for the quarter ended December 31, 2024 rose 8% to 280.2 billion yuan."
    assert uncovered_terms("What was Alibaba's revenue in December 2023?", context) == ["2023"]
    assert uncovered_terms("What was Huawei's revenue?", context) == ["Huawei"]
    assert uncovered_topics("What dividend did Alibaba declare?", context) == ["dividend"]
    assert uncovered_topics("How much did Alibaba's revenue grow in the December quarter?", context) == []


def test_answer_must_have_the_kind_of_answer_asked_for():
    assert missing_answer_type("How much revenue did Acme make?", "Acme made revenue [1].")
    assert not missing_answer_type("How much revenue did Acme make?", "$3.4 billion [1]")
    assert missing_answer_type("Who runs Acme?", "Acme is run by its chief [1].")
    assert not missing_answer_type("Who runs Acme?", "Jane Roe [1]")


def test_figure_from_another_subject_is_caught():
    sentences = [("Revenue from Greater China fell 11% to $18.5 billion as Huawei gained ground.",
                  "Apple's holiday-quarter revenue grows 4% 2025-01-30 January 30, 2025")]
    assert figure_in_context("Huawei's revenue was $18.5 billion [1].", "What was Huawei's revenue?", sentences)
    assert not figure_in_context("$18.5 billion [1]", "What was Apple's revenue in Greater China?", sentences)
