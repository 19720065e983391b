"""The one figure parser: how wire copy, filings and press releases write numbers, and when two are the same."""

from decimal import Decimal

import pytest

from qa.text.quantities import quantities, same

pytestmark = pytest.mark.unit


def read(text: str) -> list[tuple[str, int, str]]:
    """Each figure as (value as written, exponent, unit): compact enough for a table."""
    return [(str(q.value), q.exponent, q.unit) for q in quantities(text)]


def one(text: str):
    (figure,) = quantities(text)
    return figure


READS = [
    # Wire copy: "mln dlrs", "pct", "cts", "stg", fractions.
    ("Net profit 12.5 mln dlrs vs 10.2 mln", [("12.5", 6, "USD"), ("10.2", 6, "")]),
    ("Shr 45 cts vs 38 cts", [("45", -2, "USD"), ("38", -2, "USD")]),
    ("The offer is worth 16.00 dlrs a share in cash", [("16.00", 0, "USD")]),
    ("Revs 3.2 bln dlrs vs 2.9 bln dlrs", [("3.2", 9, "USD"), ("2.9", 9, "USD")]),
    ("Pretax profit rose to 5 mln stg from 4.1 mln stg", [("5", 6, "GBP"), ("4.1", 6, "GBP")]),
    ("Sales of the unit rose 43 pct in the half", [("43", 0, "%")]),
    ("The stock rose 12-1/2 cts to 18-3/4 dlrs", [("12.5", -2, "USD"), ("18.75", 0, "USD")]),
    ("The bond gained 3/4 point while the note added 1/2", [("0.75", 0, ""), ("0.5", 0, "")]),
    ("Bids came in 5/8 to 13/16 above par", [("0.625", 0, ""), ("0.8125", 0, "")]),
    ("A third of staff, or 1/3, will move", [("0.3333", 0, "")]),
    ("It raised the stake 3 1/2 pct", [("3.5", 0, "%")]),
    ("The group will cut output by 1.2 mln bpd", [("1.2", 6, "bpd")]),
    ("Output rose by 411,000 barrels a day in May", [("411000", 0, "bpd")]),
    ("Exports reached 3 mln barrels per day", [("3", 6, "bpd")]),
    ("Crude stocks fell 2.1 mln barrels last week", [("2.1", 6, "barrels")]),
    ("The mill shipped 500,000 tonnes, against 30,000 tons a year ago",
     [("500000", 0, "tonnes"), ("30000", 0, "tonnes")]),
    ("Reserves stand at 2.4 mln ounces", [("2.4", 6, "ounces")]),
    ("It will issue 10 mln shares", [("10", 6, "shares")]),
    ("Inflation eased 0.3 pct points to 2.4 pct", [("0.3", 0, "pt"), ("2.4", 0, "%")]),
    ("The bank trimmed its rate by 25 basis points", [("25", -2, "pt")]),
    ("The yield fell 15bp after a 50 bps cut", [("15", -2, "pt"), ("50", -2, "pt")]),
    ("Domestic sales 1.2 trillion yen", [("1.2", 12, "JPY")]),
    ("Sales 3.5 billion yuan, or 480 mln U.S. dollars", [("3.5", 9, "CNY"), ("480", 6, "USD")]),
    ("Capital spending 20 billion renminbi", [("20", 9, "CNY")]),
    ("Operating profit 6.5 trillion won", [("6.5", 12, "KRW")]),
    ("It raised 90 billion rupees and 2 billion euros", [("90", 9, "INR"), ("2", 9, "EUR")]),
    ("The unit sold for 13.1 billion Hong Kong dollars", [("13.1", 9, "HKD")]),
    ("Net income 374.7 billion New Taiwan dollars", [("374.7", 9, "TWD")]),
    ("Loss of 40 mln sterling and 30 mln pounds", [("40", 6, "GBP"), ("30", 6, "GBP")]),
    ("The dividend is 12 pence", [("12", -2, "GBP")]),
    ("Earnings were 1.10 dlrs per share, up from 95 cents", [("1.10", 0, "USD"), ("95", -2, "USD")]),
    ("It paid 2 bln dlrs and 3 trn yen", [("2", 9, "USD"), ("3", 12, "JPY")]),
    ("Imports hit 500 mn yuan", [("500", 6, "CNY")]),
    # Filings and press releases: currency codes and symbols before the number, accounting negatives.
    ("Revenue was RMB236,503 million (US$32,401 million), an increase of 5% year-over-year",
     [("236503", 6, "CNY"), ("32401", 6, "USD"), ("5", 0, "%")]),
    ("Revenue grew to RMB 280.2 billion", [("280.2", 9, "CNY")]),
    ("Cloud revenue was RMB31.7bn", [("31.7", 9, "CNY")]),
    ("The deal values the group at US$1.2 billion (HK$9.4 bln)", [("1.2", 9, "USD"), ("9.4", 9, "HKD")]),
    ("Proceeds of US$ 450 million", [("450", 6, "USD")]),
    ("Revenue reached NT$868.5 billion", [("868.5", 9, "TWD")]),
    ("It raised C$5 million and A$3.2bn", [("5", 6, "CAD"), ("3.2", 9, "AUD")]),
    ("The fund paid S$80 million", [("80", 6, "SGD")]),
    ("A €4.2m grant and a £1.5bn loan", [("4.2", 6, "EUR"), ("1.5", 9, "GBP")]),
    ("It spent $3bn on chips and $250k on legal fees", [("3", 9, "USD"), ("250", 3, "USD")]),
    ("The tax bill was $1.2tn", [("1.2", 12, "USD")]),
    ("A $3b buyback", [("3", 9, "USD")]),
    ("Notes of USD 5 million and EUR 3.2 bln", [("5", 6, "USD"), ("3.2", 9, "EUR")]),
    ("An order for 5 bln EUR", [("5", 9, "EUR")]),
    ("Fares start at ₩1,000 or Rs 500 or ₹450", [("1000", 0, "KRW"), ("500", 0, "INR"), ("450", 0, "INR")]),
    ("The fee was ¥500 billion, or JP¥2 trillion", [("500", 9, "CNY"), ("2", 12, "JPY")]),
    ("Diluted earnings per share were $1.23, and $.50 was paid out", [("1.23", 0, "USD"), ("0.50", 0, "USD")]),
    ("Operating loss of (1,234) and margin of (12.5)%", [("-1234", 0, ""), ("-12.5", 0, "%")]),
    ("Net loss of $(12.4) million, or $(0.12) per share", [("-12.4", 6, "USD"), ("-0.12", 0, "USD")]),
    ("Basic EPS (0.12)", [("-0.12", 0, "")]),
    ("Margin rose to 23.5% (up 1.2 percentage points)", [("23.5", 0, "%"), ("1.2", 0, "pt")]),
    ("Revenue rose 8% (12.5% in constant currency)", [("8", 0, "%"), ("12.5", 0, "%")]),
    ("Income was 48.9 billion yuan ($6.71 billion)", [("48.9", 9, "CNY"), ("6.71", 9, "USD")]),
    ("A unit price of 1,000 yuan ($137)", [("1000", 0, "CNY"), ("137", 0, "USD")]),
    ("Note (2) and the results for fiscal (2024)", [("2", 0, ""), ("2024", 0, "")]),
    ("The company has approximately 1,200 employees and 350,000 users",
     [("1200", 0, "employees"), ("350000", 0, "users")]),
    ("It delivered 495,570 vehicles and 1.79 million in all", [("495570", 0, "vehicles"), ("1.79", 6, "")]),
    # News prose.
    ("Growth was 4.3 per cent, then 4.1 percent", [("4.3", 0, "%"), ("4.1", 0, "%")]),
    ("It signed a $5-billion deal after a 10-percent rise", [("5", 9, "USD"), ("10", 0, "%")]),
    ("Prices rose 10-12% this year", [("10", 0, ""), ("12", 0, "%")]),
    ("Oil fell to about $70 a barrel", [("70", 0, "USD")]),
    ("The ratio was .3322 and volume 1,234,567", [("0.3322", 0, ""), ("1234567", 0, "")]),
    ("A model with 32 billion parameters", [("32", 9, "")]),
    ("Bitcoin topped $100,000", [("100000", 0, "USD")]),
    # Spelled-out numbers.
    ("It paid two million dollars for twenty-five stores", [("2", 6, "USD"), ("25", 0, "")]),
    ("The plant has three hundred and fifty employees", [("350", 0, "employees")]),
    ("Three hundred workers left", [("300", 0, "")]),
    ("More than a million users and half a billion yuan", [("1", 6, "users"), ("0.5", 9, "CNY")]),
    ("Prices rose five percent in seventeen cities", [("5", 0, "%"), ("17", 0, "")]),
    ("One of the largest banks raised one billion dollars", [("1", 9, "USD")]),
    ("Shr loss five cts", [("5", -2, "USD")]),
    ("Tens of thousands of people and hundreds of millions of users, someone said often", []),
    # Negatives.
    ("Margins moved -4.5 and −4.5 points", [("-4.5", 0, ""), ("-4.5", 0, "")]),
    ("The index was minus 3 pct", [("-3", 0, "%")]),
    ("A charge of -$4.5 million and −€3m", [("-4.5", 6, "USD"), ("-3", 6, "EUR")]),
    ("- 4 items in a bulleted list", [("4", 0, "")]),
    # Not figures: citations, names with digits, dates, times.
    ("Revenue rose 8% [1] to $5 billion [2, 3].", [("8", 0, "%"), ("5", 9, "USD")]),
    ("Q4 sales of the MP3 player, COVID-19 curbs, the A320 and QwQ-32B", []),
    ("It filed a 10-K on its 5G chips on the 1st", []),
    ("It was 40C in the shade at 10:30 GMT, on version 1.2.3", []),
    ("The report came out on 2025-02-20", [("2025", 0, ""), ("2", 0, ""), ("20", 0, "")]),
    ("The shop is open 24/7", [("24", 0, "")]),
    ("Revenue (RMB'000, in $'000 and ’000): 2019 is 1,234", [("2019", 0, ""), ("1234", 0, "")]),  # units, not figures
    # Bare m, b and k are scales only with a currency.
    ("A 5 m wall and 5m users", [("5", 0, ""), ("5", 0, "")]),
    ("The 405B model and 50K runners", [("405", 0, ""), ("50", 0, "")]),
    ("It costs 45c a cup", [("45", -2, "USD")]),
]


@pytest.mark.parametrize("text, expected", READS, ids=[t for t, _ in READS])
def test_reads(text, expected):
    assert read(text) == expected


SAME = [
    ("$6.71 billion", "6,710 million dollars", True),
    ("$6.71 billion", "US$6.7bn", True),
    ("6,710 million dollars", "US$6.7bn", True),
    ("6,710,000,000", "$6.71 billion", True),  # a bare number matches any currency by amount
    ("$7 billion", "$6.71 billion", True),  # within the rounding of the coarser
    ("$6.8 billion", "$6.71 billion", False),
    ("$6.71 billion", "$6.71 million", False),
    ("43 pct", "43%", True),
    ("43.2%", "43%", True),
    ("12.5", "12.5 mln", True),  # lenient: the scale was dropped
    ("12.5", "13 mln", False),
    ("12.5 mln dlrs", "$12.5 million", True),
    ("45 cts", "$0.45", True),
    ("12-1/2 cts", "$0.125", True),
    ("two million dollars", "$2.4 million", True),
    ("RMB 280.2 billion", "280.2 billion yuan", True),
    ("5 mln stg", "£5m", True),
    ("25 bps", "0.25 percentage point", True),
    ("25 bps", "0.25%", True),
    ("2 pct points", "2%", True),
    ("2 pct points", "2.4%", False),
    ("43%", "43", False),
    ("43%", "$43", False),
    ("48.9 billion yuan", "$48.9 billion", False),
    ("3 mln barrels", "3 million", True),
    ("3 mln barrels", "3 mln tonnes", False),
    ("3 mln shares", "$3 million", False),
    ("1,200", "1,234", False),
    ("-4.5%", "4.5%", False),
    ("(1,234)", "-1,234", True),
    ("¥500", "500 yen", False),  # "¥" is read as yuan
]


@pytest.mark.parametrize("a, b, expected", SAME, ids=[f"{a} ~ {b}" for a, b, _ in SAME])
def test_same(a, b, expected):
    assert same(one(a), one(b)) is expected
    assert same(one(b), one(a)) is expected


@pytest.mark.parametrize("text, expected", [
    ("12.5 mln dlrs", "12.5 million USD"),
    ("43 pct", "43%"),
    ("45 cts", "0.45 USD"),
    ("25 bps", "0.25 pt"),
    ("1,234", "1234"),
    ("1.2 mln bpd", "1.2 million bpd"),
])
def test_str_is_short_and_readable(text, expected):
    assert str(one(text)) == expected


@pytest.mark.parametrize("text, year", [
    ("in 2024", True), ("since 1999", True), ("2,024", False), ("2024 tonnes", False), ("$2024", False),
    ("1850", False), ("2101", False), ("2024.5", False),
])
def test_is_year(text, year):
    assert one(text).is_year() is year


@pytest.mark.parametrize("text, kind", [("8%", "percent"), ("25 bps", "percent"), ("HK$5", "money"),
                                        ("5 tonnes", "count"), ("5", "count")])
def test_kind(text, kind):
    assert one(text).kind() == kind


def test_amount_step_and_places():
    figure = one("Profit was 6.71 bln dlrs")
    assert (figure.amount, figure.step, figure.places) == (Decimal("6710000000"), Decimal("1E+7"), 2)
    assert one("45 cts").step == Decimal("0.01")


def test_offsets_point_into_the_text_given():
    text = "Sales rose 8% [1] to 280.2 billion yuan, or (1,234) net."
    found = quantities(text)
    assert [q.text for q in found] == ["8%", "280.2 billion yuan", "(1,234)"]
    assert all(text[q.start:q.end] == q.text for q in found)
