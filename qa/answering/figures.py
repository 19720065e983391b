"""Computed answers chosen, not written: the model picks an operation and its operands from typed lists.

A 1.5B model that writes an expression picks a neighbouring row, the wrong period or the wrong operation, and
sometimes types a figure no source states. Here every figure of the sentences shown is marked in place with a
number ("Germany (In thousands): 2019 is [F5: 78,062]; 2018 is [F6: 167,251]."), so its row, its column and
its units stay beside it, and the model's reply is one line, "change: F6, F5", decoded under a grammar that
allows only an operation of ``OPERATIONS`` and marks of figures shown that can meet in one operation. qa then
computes it with ``qa.answering.calculation`` (units, scale and the working), and orders the operands where
the operation says how: a change runs from the earlier period to the later, a difference is the larger
figure less the smaller, whichever order the model named them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..retrieval.context import Context
from .prompts import NONE
from ..text.dates import MONTH, YEAR
from ..text.quantities import Quantity, quantities, stated_exponent

MAX_FIGURES = 60  # marks beyond this are not shown: they would only lengthen the prompt
_YEAR = re.compile(rf"(?<![\d,.]){YEAR}(?![\d,])")
_AFTER_MONTH = re.compile(rf"\b{MONTH}\.?\s*$", re.I)
_REPLY = re.compile(r"^\s*(?P<operation>[a-z ]+?)\s*:\s*(?P<marks>F\d+(?:\s*,\s*F\d+)*)\s*$")


@dataclass(frozen=True)
class Operation:
    """One operation the model may choose: how many operands it takes and how qa computes it over them."""

    name: str
    description: str
    operands: tuple[int, int]  # fewest and most
    order: str = ""  # "period": earlier to later, when the periods tell; "larger": the larger first; "": as named
    named_by: str = ""  # how a question names it (a regex): a question that names operations is given only those

    def expression(self, count: int) -> str:
        """The operation over names ``x0``, ``x1``... in ``qa.answering.calculation``'s syntax."""
        names = [f"x{i}" for i in range(count)]
        return {
            "stated": "x0",
            "change": "x1 - x0",
            "percentage change": "(x1 - x0) / x0 * 100",
            "difference": "x0 - x1",
            "sum": " + ".join(names),
            "average": f"({' + '.join(names)}) / {count}",
            "ratio": "x0 / x1",
            "share": "x0 / x1 * 100",
        }[self.name]


OPERATIONS = {o.name: o for o in [
    Operation("stated", "a figure a sentence states that answers the question as it is", (1, 1)),
    Operation("change", "the later figure minus the earlier one", (2, 2), "period",
              r"(?<!percentage )(?<!percent )\b(?:change|increase|decrease)\b"),
    Operation("percentage change", "the change as a percentage of the earlier figure", (2, 2), "period",
              r"\bpercent(?:age)? (?:change|increase|decrease|growth|decline)|% change|\bgrowth rate|"
              r"\bin percent(?:age terms)?\b|\bby what percent"),
    # How far apart two figures are: "how much more", "the difference between". Larger minus smaller, as 42 of
    # the 50 TAT-QA dev golds of "difference" questions are (the others subtract as the question orders).
    Operation("difference", "how much larger one figure is than the other", (2, 2), "larger",
              r"\bdifference\b|\bhow much (?:more|less|higher|lower|larger|smaller)\b"),
    Operation("sum", "the figures added up", (2, 8), named_by=r"\b(?:total|sum|combined|altogether)\b"),
    Operation("average", "the mean of the figures", (2, 8), named_by=r"\b(?:average|mean)\b"),
    Operation("ratio", "the first figure divided by the second", (2, 2), named_by=r"\bratio\b"),
    Operation("share", "the first figure as a percentage of the second (a share, margin or proportion)", (2, 2),
              named_by=r"\bpercent(?:age)? of\b|% of\b|\bas a (?:percentage|proportion|share)\b|\bproportion\b|"
                       r"(?<!per )\bshare of\b|\bmargin\b"),
]}


def named(question: str, sources: str = "") -> list[str]:
    """The operations the question names, in ``OPERATIONS`` order ("stated" always among them); all of them when
    it names none. A "total" that opens a row of the sources ("total current liabilities") names that row, not a
    sum: on TAT-QA dev, 45 of 50 such questions that name no other operation ask for the row as stated."""
    flat = " ".join(sources.lower().split())
    rows = [m.span() for m in _TOTAL.finditer(question) if m[0].lower() in flat]
    asked = _TOTAL.sub(lambda m: m[1] if m.span() in rows else m[0], question)
    names = [o.name for o in OPERATIONS.values() if o.named_by and re.search(o.named_by, asked, re.I)]
    return ["stated", *names] if names or rows else list(OPERATIONS)


def asks_yes_or_no(question: str) -> bool:
    """Whether the question is answered yes or no ("Did Pfizer grow its PP&E between FY20 and FY21?"): such a
    question is settled by a sentence, not by a computed figure. On FinanceBench every one the model sent to the
    computing step came back as a bare change or difference that answered nothing. A choice between named
    options ("Did JD.com or Baidu report higher revenue?") is not one."""
    first = question.split("?")[0]
    return bool(_AUXILIARY.match(first)) and not re.search(r"\bor\b", first, re.I)


_AUXILIARY = re.compile(r"\W*(?:did|does|do|has|have|had|is|are|was|were|can|could|will|would|should)\b", re.I)
_TOTAL = re.compile(r"\btotal((?:\s+[\w-]+){1,2})", re.I)  # "total" and the two words after it


@dataclass(frozen=True)
class Figure:
    """A figure of a sentence shown, as its mark names it: ``F{n}``."""

    n: int
    quantity: Quantity
    sentence: str  # the sentence that states it: where its units line is read
    passage: int  # the number of the passage that holds the sentence, which the answer cites
    period: int | None  # the year its row, column or clause names, to order a change
    dated: str = ""  # the date of its article: the order of figures from reports of different periods


@dataclass
class Marked:
    """The sentences shown with their figures marked, and the figures by mark number."""

    lines: list[str]
    figures: dict[int, Figure]


def marked(context: Context, headers: dict[int, str]) -> Marked:
    """Each sentence of ``context`` that states a figure, with its figures marked in place, under its article's
    header (``headers`` by passage number). Years and the day of a date are periods, not figures: not marked."""
    lines, figures, header = [], {}, 0
    for n, sentence in context.sentences:
        text, cut = [], 0
        for q in quantities(sentence):
            if len(figures) >= MAX_FIGURES or not _is_operand(q, sentence):
                continue
            figure = Figure(len(figures) + 1, q, sentence, n, _period(sentence, q, cut), context.shown[n - 1].date)
            figures[figure.n] = figure
            text.append(f"{sentence[cut:q.start]}[F{figure.n}: {q.text}]")
            cut = q.end
        if not text:  # a sentence without figures has nothing to compute from: leave it out of the prompt
            continue
        if n != header:
            lines.append(headers[n])
            header = n
        lines.append(f"- {''.join(text)}{sentence[cut:]}")
    return Marked(lines, figures)


def _is_operand(q: Quantity, sentence: str) -> bool:
    digits = any(ch.isdigit() for ch in q.text)
    return digits and not q.is_year() and not _AFTER_MONTH.search(sentence[:q.start])


def _period(sentence: str, q: Quantity, since: int) -> int | None:
    """The year named between the previous figure (or the clause's start: a table row's ": " or "; ") and this
    one: "2019 is [F5: 78,062]", "in 2018 it earned [F2: $1.2 billion]"."""
    start = max(since, sentence.rfind(";", 0, q.start) + 1, sentence.rfind(":", 0, q.start) + 1)
    years = _YEAR.findall(sentence[start:q.start])
    return int(years[-1]) if years else None


def grammar(shown: dict[int, Figure], operations: list[str]) -> str:
    """GBNF for the reply: "none", or one of ``operations`` and up to eight marks of figures shown that can meet
    in one operation: all percentages, or amounts of one unit with bare figures (whose unit, if any, is their
    units line's). Once the first mark is chosen, only figures of its kind may follow."""
    operations = " | ".join(f'"{name}"' for name in operations)
    groups = _kinds(shown)
    rules = [f"root ::= \"{NONE}\" | operation \": \" marks", f"operation ::= {operations}",
             "marks ::= " + " | ".join(f"g{i}" for i in range(len(groups)))]
    for i, numbers in enumerate(groups):
        rules.append(f"g{i} ::= m{i} (\", \" m{i}){{0,7}}")
        rules.append(f"m{i} ::= " + " | ".join(f'"F{n}"' for n in numbers))
    return "\n".join(rules) + "\n"


def _kinds(shown: dict[int, Figure]) -> list[list[int]]:
    """The marks of each kind of figure that may meet in one operation."""
    percent = [n for n, f in shown.items() if f.quantity.kind() == "percent"]
    bare = [n for n, f in shown.items() if f.quantity.kind() != "percent" and not f.quantity.unit]
    units = dict.fromkeys(f.quantity.unit for f in shown.values() if f.quantity.kind() != "percent" and f.quantity.unit)
    groups = [sorted(bare + [n for n, f in shown.items() if f.quantity.unit == unit and f.quantity.kind() != "percent"])
              for unit in units]
    return [g for g in (percent, bare, *groups) if g]


def declines(reply: str) -> bool:
    """Whether the reply is "none": no figures shown to compute the answer from."""
    return reply.strip().rstrip(".").lower() == NONE


@dataclass(frozen=True)
class Chosen:
    """The model's reply read back: an operation and its figures in the order qa computes them."""

    operation: Operation
    figures: list[Figure]


class ChoiceError(ValueError):
    """A reply that does not name an operation of the list and figures that were shown."""


def read(reply: str, shown: dict[int, Figure]) -> Chosen:
    """The operation and figures a reply names; a change's operands ordered by their periods when each has one."""
    match = _REPLY.match(reply.strip().rstrip("."))
    if not match or match["operation"].lower() not in OPERATIONS:
        raise ChoiceError(f"not an operation over marked figures: {reply.strip()[:80]!r}")
    operation = OPERATIONS[match["operation"].lower()]
    numbers = [int(mark.strip()[1:]) for mark in match["marks"].split(",")]
    if any(n not in shown for n in numbers):
        raise ChoiceError(f"a figure that was not shown: {reply.strip()[:80]!r}")
    figures = [shown[n] for n in dict.fromkeys(numbers)]
    low, high = operation.operands
    if not low <= len(figures) <= high:
        raise ChoiceError(f"{operation.name} takes {low}{'' if low == high else f' to {high}'} figures, "
                          f"not {len(figures)}")
    if operation.order == "period":
        figures = _in_time_order(figures)
    elif operation.order == "larger":
        figures.sort(key=lambda f: -abs(f.quantity.value.scaleb(stated_exponent(f.quantity, f.sentence))))
    return Chosen(operation, figures)


def _in_time_order(figures: list[Figure]) -> list[Figure]:
    """Earlier to later: by the years their rows or clauses name when each names its own, else by the dates of
    their articles when each comes from an article of another date; else as the model named them."""
    for key in (lambda f: f.period, lambda f: f.dated or None):
        keys = [key(f) for f in figures]
        if None not in keys and len(set(keys)) == len(keys):
            return sorted(figures, key=key)
    return figures
