"""The deterministic checks that hold an answer to its sources."""

import pytest
from qa.answering.grounding import unsupported_figures, unsupported_names
from qa.text.names import key_terms

pytestmark = pytest.mark.unit


def test_invented_figures_are_found_in_any_notation():
    evidence = "Net income jumped to 48.9 billion yuan ($6.71 billion), Eddie Wu said."
    assert unsupported_figures("Net income was 48.9 billion yuan [1].", evidence) == []
    assert unsupported_figures("Net income was $6,710 million [1].", evidence) == []
    assert len(unsupported_figures("Net income was 52.1 billion yuan [1].", evidence)) == 1


def test_wire_notation_supports_a_plain_answer():
    evidence = "The company said first-quarter profit rose to 12.5 mln dlrs, or 43 cts a share, up 43 pct."
    assert unsupported_figures("Profit rose 43% to $12.5 million, or 43 cents a share [1].", evidence) == []


def test_figures_from_the_question_are_allowed():
    assert unsupported_figures("In 2024 revenue was 5 billion [1].", "revenue was 5 billion", "in 2024?") == []


def test_names_must_be_in_the_articles_or_the_question():
    articles = "Alibaba Group reported results. The company said revenue rose, Eddie Wu said."
    assert unsupported_names("Alibaba's revenue rose [1].", articles) == []
    assert unsupported_names("Jack Ma said revenue rose [1].", articles) == ["Jack", "Ma"]
    assert unsupported_names("Tencent's revenue rose [1].", articles, "Did Tencent's revenue rise?") == []


def test_key_terms_are_names_and_years():
    assert key_terms("What was Alibaba's revenue in December 2023?") == {"Alibaba", "December", "2023"}


def test_the_first_word_of_a_question_is_not_a_name():
    assert key_terms("Describe Alibaba's results in detail.") == {"Alibaba"}


def test_uncovered_terms_are_names_and_years_in_no_source_and_compounds_count_by_their_names():
    from qa.answering.grounding import uncovered_terms

    sources = "Texaco Inc said on Tuesday a group it leads bid for the refinery. 1987-03-03"
    assert uncovered_terms("How much did the Texaco-led group bid in 1987?", sources) == []
    assert uncovered_terms("How much did the Mobil-led group bid in 1986?", sources) == ["1986", "Mobil-led"]
