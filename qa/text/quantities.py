"""Figures in text: numbers read with their scale, currency, percent sign or unit, and compared as figures.

One parser serves grounding and evaluation alike, so an answer's "$6.7bn" is checked against an article's
"6,710 million dollars" or a wire story's "6.71 bln dlrs" by the same rules. Values are exact ``Decimal``s
and keep the precision they were written with, because two figures are "the same" when they agree within
the rounding of the coarser one, not when their strings agree.

Choices for what text is ambiguous about (the tests show each):

- "m", "b" and "k" are scales only after a currency ("$5m", "€4.2 m"); "5m" or "5 m" alone may be
  metres, a model size or a word, so only the number 5 is read.
- A number glued to letters is part of a name ("Q4", "MP3", "A320", "5G", "1st"), as is one after a
  word and a hyphen ("COVID-19", "QwQ-32B") or before a hyphen and a capital ("10-K"). After a digit and a
  hyphen it is the end of a range or a date part ("10-12%", "2025-02-20" gives 2025, 2, 20), never negative;
  a range's first number does not borrow the unit of its second. Times ("10:30") are not figures.
- "(1,234)", "(12.5)", "(12.5)%" and "$(1,234)" are negative, as in accounts; "(12)" and "(2024)" are not,
  being footnote marks or years, and neither is "($137)", which in news is a currency conversion.
- Basis points are percentage points scaled by 10^-2: "25 bps" is 25 with exponent -2, i.e. 0.25 pt.
  Cents work the same way: "45 cts" is 0.45 USD; a lower-case "c" glued to a number ("45c") is cents,
  an upper-case one ("40C") is not.
- "¥" is read as CNY (the corpus is about Chinese companies); write "JP¥" or "yen" for yen. "pounds"
  is sterling, not weight. "cts", "cents" and "dlrs" with no country are US.
- Spelled-out numbers up to the hundreds are read, with any scale word ("two million", "three hundred
  and fifty", "a billion", "half a billion"); a bare "one" is not, being a pronoun far more often.
- Fractions are read only with the denominators prices use (2, 3, 4, 8, 16, 32), so "24/7" is 24.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .names import CITATION

_SCALE_EXPONENTS = {"thousand": 3, "k": 3, "million": 6, "mln": 6, "mn": 6, "m": 6, "billion": 9, "bln": 9,
                    "bn": 9, "b": 9, "trillion": 12, "tn": 12, "trn": 12}
# Powers of ten by the words that name them, for writing a figure with its scale; and those words in text.
SCALE_NAMES = {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}
SCALE_WORD = re.compile(r"\b(?:thousand|million|billion|trillion)s?\b", re.I)
_CODES = ("USD", "EUR", "GBP", "JPY", "CNY", "HKD", "TWD", "KRW", "INR", "CAD", "AUD", "SGD", "CHF")
# Keyed by a currency's symbol, or the first word of its name lower-cased without dots or a plural "s".
_CURRENCIES = {code.lower(): code for code in _CODES} | {
    "$": "USD", "us$": "USD", "hk$": "HKD", "nt$": "TWD", "c$": "CAD", "a$": "AUD", "s$": "SGD", "jp¥": "JPY",
    "cn¥": "CNY", "€": "EUR", "£": "GBP", "¥": "CNY", "₩": "KRW", "₹": "INR", "rs": "INR", "rmb": "CNY",
    "u": "USD", "dollar": "USD", "dlr": "USD", "hong": "HKD", "hk": "HKD", "new": "TWD", "taiwan": "TWD",
    "nt": "TWD", "canadian": "CAD", "australian": "AUD", "singapore": "SGD", "stg": "GBP", "sterling": "GBP",
    "pound": "GBP", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "euro": "EUR", "won": "KRW", "rupee": "INR",
}
_MONEY = frozenset(_CURRENCIES.values())
# Keyed by the last word of a unit lower-cased without a plural "s".
_UNITS = {"day": "bpd", "bpd": "bpd", "b/d": "bpd", "barrel": "barrels", "bbl": "barrels", "tonne": "tonnes",
          "ton": "tonnes", "ounce": "ounces", "oz": "ounces", "share": "shares", "vehicle": "vehicles",
          "employee": "employees", "user": "users", "unit": "units"}
_WORD_VALUES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())} | {w: 10 * i for i, w in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)} | {"a": 1, "an": 1}

_ONES = "one|two|three|four|five|six|seven|eight|nine"
_BELOW_100 = (rf"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:{_ONES})\b)?"
              rf"|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|zero|{_ONES})\b")
_WORDS = (rf"(?:(?:a|an|{_ONES})\s+hundred(?:\s+(?:and\s+)?{_BELOW_100})?\b|{_BELOW_100}"
          r"|(?:half\s+)?an?(?=[\s-](?:thousand|million|billion|trillion)\b))")
_FRACTION = r"(?:1/2|[12]/3|[13]/4|[1357]/8|(?:1[135]|[13579])/16|(?:[12]?[13579]|31)/32)(?![\d/])"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?!\d|\.\d|,\d{3}\b|:\d)"  # not a time
# Letters that may follow a number directly ("3bn", "25bps", "45c", "5m"); any other letter makes it a name.
_GLUED = (r"(?:thousand|million|billion|trillion|mln|bln|trn|mn|bn|tn|[mbk]|pct|percent|bps|bp|ppts?|cts"
          r"|(?-i:c)|bpd|oz)\b")
_CURRENCY_BEFORE = r"(?P<cur>(?:US|HK|NT|C|A|S)\$|JP¥|CN¥|Rs\.?|(?-i:RMB|" + "|".join(_CODES) + r")|[$€£¥₩₹])"
_SCALE = r"(?:[\s-]?(?P<scale>thousand|million|billion|trillion|mln|bln|trn|mn|bn|tn|(?(cur)[mbk]|(?!)))\b)?"
_AFTER = (
    r"(?P<pt>(?:percentage|pct\.?|per\s?cent)\s+(?:points?|pts?)\b|ppts?\b)"
    r"|(?P<bp>basis\s+points?\b|bps?\b)"
    r"|(?P<pct>%|per\s?cent\b|pct\b)"
    r"|(?P<cents>cents?\b|cts\b|pence\b|(?<=\d)(?-i:c)\b)"
    r"|(?P<money>(?:u\.?\s?s\.?|hong\s+kong|hk|(?:new\s+)?taiwan|nt|canadian|australian|singapore)"
    r"\s+(?:dollars?|dlrs)\b"
    r"|dollars?\b|dlrs\b|stg\b|sterling\b|pounds?\b|yuan\b|renminbi\b|yen\b|euros?\b|won\b|rupees?\b"
    r"|(?-i:RMB|" + "|".join(_CODES) + r")\b)"
    r"|(?P<unit>barrels?\s+(?:per|a)\s+day\b|bpd\b|b/d\b|barrels?\b|bbl\b|(?:metric\s+)?(?:tonnes?|tons?)\b"
    r"|(?:troy\s+)?ounces?\b|oz\b|shares\b|vehicles?\b|employees\b|users\b|units\b)"
)
_FIGURE = re.compile(
    r"(?<![\w./:'’])(?<![^\W\d]-)"  # not inside a word, a decimal, a date, a name like COVID-19 or "RMB'000"
    r"(?P<neg>\bminus\s+|[-−])?"
    rf"(?:{_CURRENCY_BEFORE}\s?)?"
    r"(?P<open>\()?"
    rf"(?P<num>(?P<whole>\d+)[- ](?P<mixed>{_FRACTION})|(?P<frac>{_FRACTION})"
    rf"|(?P<digits>{_DIGITS})|(?P<words>{_WORDS}))"
    rf"(?!-(?-i:[A-Z])\b)(?!(?!{_GLUED})[^\W\d_])"
    rf"(?(open)\)(?P<closepct>\s?%)?){_SCALE}(?(open)|(?(cur)|(?:[\s-]?(?:{_AFTER}))?))",
    re.I,
)
# A units line of a table or statement: "(in millions of euros)", "$ in thousands", "RMB'000".
_UNITS_LINE = re.compile(r"\bin\s+(thousands|millions|billions)\b|['’]000\b|\b000s\b", re.I)
_UNITS_EXPONENTS = {"thousands": 3, "millions": 6, "billions": 9}
_UNITS_CURRENCY = re.compile(r"\s+of\s+([A-Za-z]+)")
_EXCEPT = re.compile(r"\bexcept\b[^)]*")  # "(in millions, except percentages and per share amounts)"


@dataclass(frozen=True)
class Quantity:
    """A figure as written: exact value, power-of-ten scale, unit, and the precision it was given to."""

    value: Decimal  # the number as written, sign applied
    exponent: int  # power of ten of the scale word; -2 for cents and basis points
    unit: str  # currency code, '%', 'pt' (percentage points), a count unit like 'bpd', or '' for a bare number
    places: int  # digits after the decimal point as written
    start: int  # offsets of the match in the text given
    end: int
    text: str  # the match as written

    @property
    def amount(self) -> Decimal:
        return self.value.scaleb(self.exponent)

    @property
    def step(self) -> Decimal:
        """One unit in the last written digit, in absolute terms: what the writer may have rounded away."""
        return Decimal(1).scaleb(self.exponent - self.places)

    def kind(self) -> str:
        if self.unit in ("%", "pt"):
            return "percent"
        return "money" if self.unit in _MONEY else "count"

    def is_year(self) -> bool:
        """Bare four digits from 1900 to 2100: a year, which callers skip when looking for the answer's figure."""
        return _bare(self) and len(self.text) == 4 and self.text.isdigit() and 1900 <= self.value <= 2100

    def __str__(self) -> str:
        if self.exponent in SCALE_NAMES:
            number = f"{self.value} {SCALE_NAMES[self.exponent]}"
        else:
            number = str(self.amount)
        if self.unit == "%":
            return number + "%"
        return f"{number} {self.unit}".strip()


def quantities(text: str) -> list[Quantity]:
    """Every figure in ``text``, in order, with offsets into ``text``; citation markers like [1] are skipped."""
    cited = [m.span() for m in CITATION.finditer(text)] if "[" in text else []
    found = []
    for match in _FIGURE.finditer(text):
        if any(start <= match.start() < end for start, end in cited):
            continue
        quantity = _quantity(match)
        if quantity is not None:
            found.append(quantity)
    return found


def stated_exponent(q: Quantity, text: str) -> int:
    """The power of ten ``q`` (a figure found in ``text``) stands for: its own scale word, or else the units line
    of its sentence or table row ("in millions of euros", "RMB'000"), unless the row is a per-share figure
    ("Diluted earnings per share (in millions, except per share data)")."""
    if q.exponent or q.unit not in ("", *_MONEY):
        return q.exponent
    units = _units_line(q, text)
    return _UNITS_EXPONENTS.get((units[1] or "").lower(), 3) if units else 0


def stated_currency(q: Quantity, text: str) -> str:
    """The currency a bare figure's units line names, as written ("euros" in "in millions of euros"); empty when
    the figure has its own unit or the line names none."""
    units = None if q.unit else _units_line(q, text)
    named = _UNITS_CURRENCY.match(text, units.end()) if units else None
    return named[1] if named and named[1].lower().removesuffix("s") in _CURRENCIES else ""


def currency_code(q: Quantity, text: str) -> str:
    """The currency ``q`` is in, as a code: its own, or the one its units line names ("in millions of euros")."""
    if q.unit in _MONEY:
        return q.unit
    named = stated_currency(q, text)
    return _CURRENCIES[named.lower().removesuffix("s")] if named else ""


def _units_line(q: Quantity, text: str) -> re.Match | None:
    """The units line of ``q``'s sentence or table row, unless the row is a per-share figure."""
    start = max(text.rfind(". ", 0, q.start), text.rfind("\n", 0, q.start)) + 1
    ends = [i for i in (text.find(". ", q.end), text.find("\n", q.end)) if i >= 0]
    units = _UNITS_LINE.search(text, start, min(ends, default=len(text)))
    if not units or "per share" in _EXCEPT.sub("", text[start:q.start].lower()):
        return None
    return units


def same(a: Quantity, b: Quantity) -> bool:
    """Whether two figures are the same within the rounding of the coarser one.

    '$6.71 billion', '6,710 million dollars' and 'US$6.7bn' are the same; so are '43 pct' and '43%'.
    Percent never equals a non-percent, and percentage points equal percent only at the same amount (a
    rate cut of '25 bps' is '0.25%' but a '2 pt' rise is not a '2.4%' one). Different currencies or units
    never match, but a bare number is compatible with any money or count unit. Leniently, a figure without
    a scale word also equals a scaled one with the same written value ('12.5' and '$12.5' both equal '12.5
    mln dlrs'): models drop the scale when the question or a units line states it ("in millions of
    dollars"), and an invented figure rarely coincides.
    """
    if (a.kind() == "percent") != (b.kind() == "percent"):
        return False
    if a.kind() == "percent" and a.unit != b.unit:
        return a.amount == b.amount
    if a.unit != b.unit and a.unit and b.unit:
        return False
    if min(a.exponent, b.exponent) == 0 and max(a.exponent, b.exponent) > 0:
        return a.value == b.value or _close(a, b)
    return _close(a, b)


def _close(a: Quantity, b: Quantity) -> bool:
    return abs(a.amount - b.amount) <= max(a.step, b.step) / 2


def _bare(q: Quantity) -> bool:
    return q.unit == "" and q.exponent == 0


def _quantity(m: re.Match) -> Quantity | None:
    """The figure one match of ``_FIGURE`` stands for, or None when it is the pronoun "one"."""
    value, places = _number(m)
    exponent, unit = _scale_and_unit(m)
    if m["words"] and m["words"].lower() == "one" and not (exponent or unit):
        return None
    start, end = m.span()
    if m["open"] and not _accounting_negative(m):
        start, end = m.span("num")
    elif m["neg"] or m["open"]:
        value = -value
    return Quantity(value, exponent, unit, places, start, end, m.string[start:end])


def _scale_and_unit(m: re.Match) -> tuple[int, str]:
    """Power of ten and unit from the words around the number; cents and basis points scale by 10^-2."""
    exponent = _SCALE_EXPONENTS.get((m["scale"] or "").lower(), 0)
    if m["cur"]:
        return exponent, _CURRENCIES[m["cur"].lower().rstrip(".")]
    if m["pct"] or m["closepct"]:
        return exponent, "%"
    if m["pt"]:
        return exponent, "pt"
    if m["bp"]:
        return exponent - 2, "pt"
    if m["cents"]:
        return exponent - 2, "GBP" if m["cents"].lower() == "pence" else "USD"
    if m["money"]:
        return exponent, _CURRENCIES[m["money"].lower().replace(".", "").split()[0].removesuffix("s")]
    if m["unit"]:
        return exponent, _UNITS[m["unit"].lower().split()[-1].removesuffix("s")]
    return exponent, ""


def _accounting_negative(m: re.Match) -> bool:
    """'(1,234)', '(0.12)', '(12.5)%' and '$(12)' are negatives in accounts; '(12)' and '(2024)' are a
    footnote mark and a year."""
    return bool(m["cur"] or m["closepct"] or (m["digits"] and not m["digits"].isdigit()))


def _number(m: re.Match) -> tuple[Decimal, int]:
    """The number's value and the digits after its point, from whichever way it was written."""
    if m["digits"]:
        raw = m["digits"].replace(",", "")
        return Decimal(raw), len(raw.partition(".")[2])
    if m["words"]:
        return _spelled(m["words"])
    value = _fraction(m["mixed"] or m["frac"]) + int(m["whole"] or 0)
    return value, max(0, -value.normalize().as_tuple().exponent)


def _fraction(text: str) -> Decimal:
    numerator, denominator = text.split("/")
    value = Decimal(numerator) / Decimal(denominator)
    return value.quantize(Decimal("0.0001")) if denominator == "3" else value  # thirds never end


def _spelled(words: str) -> tuple[Decimal, int]:
    tokens = words.lower().replace("-", " ").split()
    if tokens[0] == "half":
        return Decimal("0.5"), 1
    total = 0
    for token in tokens:
        total = total * 100 if token == "hundred" else total + _WORD_VALUES.get(token, 0)  # "and" adds 0
    return Decimal(total), 0
