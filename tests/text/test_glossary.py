"""Financial abbreviations and metrics searched also by the statement rows they are read from."""

import pytest

from qa.text.glossary import expanded

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("question, rows", [
    ("What is Amcor's year end FY2020 net AR?", "accounts receivable"),
    ("What was 3M's FY2018 capex?", "purchases of property, plant and equipment capital expenditures"),
    ("What is the net PP&E at year end?", "property, plant and equipment"),
    ("Is the quick ratio healthy?", "total current assets total current liabilities"),
    ("What is the days payable outstanding (DPO)?", "accounts payable"),
])
def test_a_metric_is_searched_by_its_rows_and_keeps_its_own_words(question, rows):
    assert expanded(question) == f"{question} {rows}"


@pytest.mark.parametrize("question", [
    "Who leads Northfield?",
    "Did the ap of the company rise?",  # abbreviations count only in capitals
    "What was the underlying EBITDA in FY19?",  # a metric statements state by name is left alone
])
def test_other_questions_are_searched_as_asked(question):
    assert expanded(question) == question
