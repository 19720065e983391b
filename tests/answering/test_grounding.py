"""The deterministic check of a question against the articles read."""

import pytest
from qa.answering.grounding import uncovered_terms
from qa.text.names import key_terms

pytestmark = pytest.mark.unit


def test_key_terms_are_names_and_years():
    assert key_terms("What was Alibaba's revenue in December 2023?") == {"Alibaba", "December", "2023"}


def test_the_first_word_of_a_question_is_not_a_name():
    assert key_terms("Describe Alibaba's results in detail.") == {"Alibaba"}


def test_uncovered_terms_are_names_and_years_in_no_source_and_compounds_count_by_their_names():
    sources = "Texaco Inc said on Tuesday a group it leads bid for the refinery. 1987-03-03"
    assert uncovered_terms("How much did the Texaco-led group bid in 1987?", sources) == []
    assert uncovered_terms("How much did the Mobil-led group bid in 1986?", sources) == ["1986", "Mobil-led"]


def test_a_renamed_company_is_covered_by_either_of_its_names():
    question = "How much cash did Block (formerly known as Square) generate from operations in FY2020?"
    assert uncovered_terms(question, "Square, Inc. annual report for 2020") == []
    assert uncovered_terms(question, "Block, Inc. annual report for 2020") == []
    assert uncovered_terms(question, "Acme annual report for 2020") == ["Block", "Square"]
    assert uncovered_terms("What did Meta's (formerly Facebook) revenue reach in 2021?", "Facebook, 2021") == []
    assert uncovered_terms("What did Meta (the owner of Facebook) earn in 2021?", "Facebook, 2021") == ["Meta"]
