"""Computed answers: figures taken with the scale their sources give them, units carried through, the working
shown. Fast tier: no model. The sources below were written for these tests."""

import re

import pytest

from qa.answering.calculation import CalculationError, Scale, asked_places, asked_scale, over_figures
from qa.text.quantities import quantities, stated_exponent

pytestmark = pytest.mark.unit

RESULTS = ("Harlow Foods said revenue rose to 280.2 billion yuan from 260.3 billion yuan a year earlier. "
           "Net income was 48.9 billion yuan. Gross margin was 45.2% against 43.1%.")
TABLE = ("Research and development (in millions of euros): 2025 is 4,512; 2024 is 3,905.\n"
         "Diluted earnings per share (in millions, except per share data): 2025 is 1.23; 2024 is (0.45).\n"
         "Other income (in millions of euros): 2025 is (1,234); 2024 is 2,000.\n"
         "Cloud revenue (in millions of yuan): 2025 is 9,800.")
WIRE = "Acme said output reached 3.5 mln bpd, while profit was 12.5 mln dlrs against 8.7 mln dlrs."
BARE = "Plan changes — Spin-off: 687; Transfers: 2; Dividends paid: $1,263."  # no scale, no units line
SOURCES = {1: RESULTS, 2: TABLE, 3: WIRE, 4: BARE}


def figure(text: str) -> tuple:
    """The figure written ``text`` as the source that states it gives it, with that source's number."""
    for n, source in SOURCES.items():
        for q in quantities(source):
            if q.text == text:
                return q, source, n
    raise LookupError(text)


def result(expression: str, *operands: str, question: str = "") -> str:
    return over_figures("operation", expression, [figure(o) for o in operands], asked_places(question)).result


@pytest.mark.parametrize("expression, operands, shown", [
    ("(x1 - x0) / x0 * 100", ["260.3 billion yuan", "280.2 billion yuan"], "7.65%"),  # growth, two decimals
    ("x0 / x1 * 100", ["48.9 billion yuan", "280.2 billion yuan"], "17.45%"),  # margin
    ("x0 / x1", ["280.2 billion yuan", "260.3 billion yuan"], "1.08"),  # a ratio
    ("x0 - x1", ["280.2 billion yuan", "260.3 billion yuan"], "19.9 billion yuan"),  # exact, written like the source
    ("x0 + x1", ["280.2 billion yuan", "48.9 billion yuan"], "329.1 billion yuan"),
    ("x0 - x1", ["4,512", "3,905"], "607 million"),  # the table's units line gives the scale
    ("(x0 + x1) / 2", ["4,512", "3,905"], "4,208.5 million"),  # an average
    ("x0 - x1", ["45.2%", "43.1%"], "2.1 percentage points"),  # percent minus percent
    ("x0 - x1", ["280.2 billion yuan", "9,800"], "270.4 billion yuan"),  # billions against millions, converted
    ("x0 - x1", ["1.23", "(0.45)"], "1.68"),  # per-share row: no scale; "(0.45)" is negative in the source
    ("x0 - x1", ["(1,234)", "2,000"], "-3,234 million"),  # an accounting negative keeps its sign in the value
    ("(x1 - x0) / x0 * 100", ["8.7 mln dlrs", "12.5 mln dlrs"], "43.68%"),
])
def test_results(expression, operands, shown):
    assert result(expression, *operands) == shown


def test_the_question_sets_the_rounding():
    growth = ("(x1 - x0) / x0 * 100", "260.3 billion yuan", "280.2 billion yuan")
    assert result(*growth, question="to the nearest whole number?") == "8%"
    assert result(*growth, question="rounded to one decimal place") == "7.6%"


def test_the_working_quotes_every_operand_as_its_source_states_it_and_cites_it():
    calc = over_figures("percentage change", "(x1 - x0) / x0 * 100",
                        [figure("3,905"), figure("4,512")])
    assert calc.working == "(4,512 million − 3,905 million) / 3,905 million × 100 = 15.54%"
    assert [(o.stated, o.citation) for o in calc.operands] == [("3,905 million", 2), ("4,512 million", 2)]
    assert calc.result == "15.54%" and calc.operation == "percentage change"


@pytest.mark.parametrize("expression, operands, reason", [
    ("x0 - x1", ["12.5 mln dlrs", "3.5 mln bpd"], "cannot add USD and bpd"),
    ("x0 - x1", ["280.2 billion yuan", "4,512"], "cannot add CNY and EUR"),  # its units line names euros
    ("x0 + x1", ["$1,263", "12.5 mln dlrs"], "its scale was likely lost"),
    ("x0 * x1", ["280.2 billion yuan", "260.3 billion yuan"], "cannot multiply an amount by an amount"),
    ("x0 / x1", ["280.2 billion yuan", "45.2%"], "cannot divide an amount by a percentage"),
    ("x0 ** 2", ["280.2 billion yuan"], "only + − × / are computed"),
    ("x0 / (x1 - x1)", ["280.2 billion yuan", "260.3 billion yuan"], "divides by zero"),
])
def test_refused(expression, operands, reason):
    with pytest.raises(CalculationError, match=re.escape(reason)):
        over_figures("operation", expression, [figure(o) for o in operands])


@pytest.mark.parametrize("text, figure, exponent", [
    ("Revenue (in millions of euros): 2025 is 4,512.", "4,512", 6),
    ("Cash ($ in thousands): 2019 is 1,234.", "1,234", 3),
    ("Revenue (RMB'000): 2019 is 1,234.", "1,234", 3),
    ("Diluted earnings per share (in millions, except per share data): 2025 is 1.23.", "1.23", 0),
    ("Income before Income Taxes (In Millions, Except Percentages and Per Share Amounts): 2019 is 103.6.",
     "103.6", 6),  # a row that is not per share, under a units line that excepts per-share figures
    ("Revenue was 4,512 million euros.", "4,512 million euros", 6),
    ("In millions. Revenue was 4,512.", "4,512", 0),  # another sentence's units line does not apply
])
def test_stated_exponent(text, figure, exponent):
    (q,) = [q for q in quantities(text) if q.text == figure]
    assert stated_exponent(q, text) == exponent


@pytest.mark.parametrize("question, scale", [
    ("What is the FY2017 total current liabilities (in USD millions)?", Scale(6, "USD")),
    ("What is the net PP&E? Answer in USD billions.", Scale(9, "USD")),
    ("What was the revenue in billions of dollars?", Scale(9, "USD")),
    ("What was the revenue in thousands?", Scale(3)),
    ("How many millions of users joined?", None),
    ("What was the revenue?", None),
])
def test_the_scale_a_question_asks_for(question, scale):
    assert asked_scale(question) == scale


@pytest.mark.parametrize("question, expression, operands, shown", [
    ("in USD millions", "x0", ["4,512"], "4,512 million"),  # money of another currency is left as stated
    ("in billions", "x0", ["4,512"], "4.51 billion EUR"),
    ("in thousands", "x0 + x1", ["12.5 mln dlrs", "8.7 mln dlrs"], "$21,200 thousand"),
    ("Answer in USD billions.", "x0 + x1", ["12.5 mln dlrs", "8.7 mln dlrs"], "$0.0212 billion"),  # three digits
    ("Answer in USD billions to one decimal place.", "x0 - x1", ["12.5 mln dlrs", "8.7 mln dlrs"], "$0.0 billion"),
    ("in USD millions", "x0 + x1", ["687", "2"], "689"),  # no scale stated: not taken for 689 dollars
])
def test_an_amount_is_shown_in_the_scale_the_question_asks_for(question, expression, operands, shown):
    calc = over_figures("operation", expression, [figure(o) for o in operands], asked_places(question),
                        asked_scale(question))
    assert calc.result == shown and calc.working.endswith(f"= {shown}")


def test_a_bare_figure_of_a_table_in_thousands_is_shown_in_the_millions_asked_for():
    row = "Total current liabilities (in thousands, except per share data): December 31, 2017 is 5,466,312."
    [stated] = [q for q in quantities(row) if not q.is_year()][-1:]
    calc = over_figures("stated", "x0", [(stated, row, 1)], None, asked_scale("Answer in USD millions."))
    assert calc.result == "$5,466.31 million" and calc.working == "5,466,312 thousand = $5,466.31 million"
