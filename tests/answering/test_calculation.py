"""Computed answers: operands checked against the sources with their scale, units carried through, the working
shown. Fast tier: no model. The sources below were written for these tests."""

import pytest

from qa.answering.calculation import CalculationError, apply, compute, plain_braces
from qa.text.quantities import quantities, stated_exponent

pytestmark = pytest.mark.unit

RESULTS = ("Harlow Foods said revenue rose to 280.2 billion yuan from 260.3 billion yuan a year earlier. "
           "Net income was 48.9 billion yuan. Gross margin was 45.2% against 43.1%.")
TABLE = ("Research and development (in millions of euros): 2025 is 4,512; 2024 is 3,905.\n"
         "Diluted earnings per share (in millions, except per share data): 2025 is 1.23; 2024 is (0.45).\n"
         "Other income (in millions of euros): 2025 is (1,234); 2024 is 2,000.")
WIRE = "Acme said output reached 3.5 mln bpd, while profit was 12.5 mln dlrs against 8.7 mln dlrs."
SOURCES = {1: RESULTS, 2: TABLE, 3: WIRE}


def result(expression: str, percent: bool = False, question: str = "") -> str:
    text, _ = apply("{" + expression + "}" + ("%" if percent else "") + " [1].", question, SOURCES, [1])
    return text.split(" [")[0]


@pytest.mark.parametrize("expression, percent, shown", [
    ("(280.2 - 260.3) / 260.3 * 100", True, "7.65%"),  # growth, two decimals
    ("48.9 / 280.2 * 100", True, "17.45%"),  # margin
    ("(280.2 - 260.3) / 260.3", True, "7.65%"),  # a ratio with '%' after it is a percentage
    ("280.2 - 260.3", False, "19.9 billion yuan"),  # exact, written like the source
    ("280.2 billion yuan + 48.9 billion yuan", False, "329.1 billion yuan"),
    ("4,512 - 3,905", False, "607 million"),  # the table's units line gives the scale
    ("(4,512 + 3,905) / 2", False, "4,208.5 million"),  # average: 2 is a constant where it divides
    ("45.2 - 43.1", False, "2.1 percentage points"),  # percent minus percent
    ("280.2 billion - 4,512", False, "275.69 billion yuan"),  # billions against millions, converted
    ("1.23 - 0.45", False, "1.68"),  # per-share row: no scale; "(0.45)" is negative in the source
    ("12.5 / 8.7 * 100 - 100", False, "43.68%"),
])
def test_results(expression, percent, shown):
    assert result(expression, percent) == shown


def test_the_question_sets_the_rounding():
    assert result("(280.2 - 260.3) / 260.3 * 100", True, "to the nearest whole number?") == "8%"
    assert result("(280.2 - 260.3) / 260.3 * 100", True, "rounded to one decimal place") == "7.6%"


def test_the_working_quotes_every_operand_as_its_source_states_it_and_cites_it():
    text, (calc,) = apply("Revenue grew {(280.2 - 260.3) / 260.3 * 100}% [1].", "", SOURCES, [1])
    assert text == ("Revenue grew 7.65% [1]. Working: (280.2 billion yuan − 260.3 billion yuan) / "
                    "260.3 billion yuan × 100 = 7.65% [1].")
    assert [(o.stated, o.citation) for o in calc.operands] == [
        ("280.2 billion yuan", 1), ("260.3 billion yuan", 1), ("260.3 billion yuan", 1), ("100", None)]
    assert calc.result == "7.65%" and calc.expression == "(280.2 - 260.3) / 260.3 * 100"


def test_an_operand_from_an_uncited_source_is_cited():
    text, (calc,) = apply("R&D rose {4,512 - 3,905} [1].", "", SOURCES, [1])
    assert [o.citation for o in calc.operands] == [2, 2] and text.endswith("= 607 million [2].")


def test_words_the_model_wrote_around_its_braces_are_not_repeated():
    text, _ = apply("Revenue was {280.2 - 260.3} billion yuan higher [1].", "", SOURCES, [1])
    assert text.startswith("Revenue was 19.9 billion yuan higher [1].")


def test_the_source_scale_replaces_the_one_the_model_wrote():
    text, _ = apply("R&D rose by {4,512 - 3,905} billion euros [2].", "", SOURCES, [2])
    assert text.startswith("R&D rose by 607 million euros [2].")


def test_an_operation_continued_outside_its_braces_is_computed_whole():
    """Models close the braces early: "{a - b} / b * 100%" is one operation, and "* 100%" means percent."""
    text, _ = apply("{280.2 - 260.3} / 260.3 * 100% = 7.6% [1].", "", SOURCES, [1])
    assert text.startswith("7.65% [1].")


@pytest.mark.parametrize("text, plain", [
    ("Cloud grew {8%} [1].", "Cloud grew 8% [1]."),
    ("It earned {27.45 billion yuan ($3.76 billion)} [1].", "It earned 27.45 billion yuan ($3.76 billion) [1]."),
    ("It grew {(280.2 - 260.3) / 260.3 * 100}% [1].", "It grew {(280.2 - 260.3) / 260.3 * 100}% [1]."),
    ("It grew {280.2 - 260.3} [1].", "It grew {280.2 - 260.3} [1]."),
])
def test_braces_around_a_copied_figure_are_not_an_operation(text, plain):
    assert plain_braces(text) == plain


def test_a_result_the_model_wrote_itself_is_replaced():
    text, _ = apply("Revenue grew {(280.2 - 260.3) / 260.3 * 100} = 7.6% [1].", "", SOURCES, [1])
    assert text.startswith("Revenue grew 7.65% [1].")


@pytest.mark.parametrize("expression, reason", [
    ("280.2 - 250.1", "250.1 is in no source"),  # a made-up operand
    ("280.2 + 2", "2 is in no source"),  # a small integer is a constant only where it scales
    ("12.5 mln dlrs - 3.5 mln bpd", "cannot add USD and bpd"),
    ("280.2 * 260.3", "cannot multiply an amount by an amount"),
    ("280.2 / 45.2%", "cannot divide an amount by a percentage"),
    ("280.2 ** 2", "cannot read"),
    ("__import__('os').getcwd()", "cannot read"),
    ("280.2 / (260.3 - 260.3)", "divides by zero"),
])
def test_refused(expression, reason):
    with pytest.raises(CalculationError, match=reason.replace("*", r"\*").replace("(", r"\(")):
        compute(expression, SOURCES, [1])


def test_a_figure_is_not_matched_to_a_coarser_one():
    """'3.5' is not the '04' of a date: a source figure must be at least as precise as what the model wrote."""
    with pytest.raises(CalculationError, match="3.5 is in no source"):
        compute("3.5 - 1", {1: "Dated 1987-04-07."}, [1])


@pytest.mark.parametrize("text, figure, exponent", [
    ("Revenue (in millions of euros): 2025 is 4,512.", "4,512", 6),
    ("Cash ($ in thousands): 2019 is 1,234.", "1,234", 3),
    ("Revenue (RMB'000): 2019 is 1,234.", "1,234", 3),
    ("Diluted earnings per share (in millions, except per share data): 2025 is 1.23.", "1.23", 0),
    ("Revenue was 4,512 million euros.", "4,512 million euros", 6),
    ("In millions. Revenue was 4,512.", "4,512", 0),  # another sentence's units line does not apply
])
def test_stated_exponent(text, figure, exponent):
    (q,) = [q for q in quantities(text) if q.text == figure]
    assert stated_exponent(q, text) == exponent
