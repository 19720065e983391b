"""Computed answers: qa does the arithmetic over figures the sources state, with units, and shows its working.

The model chooses an operation and its figures (``qa.answering.figures``); it never writes a figure or the
arithmetic. Here:

- each figure takes the scale its source gives it: its own scale word, or the units line of its sentence or
  table row ("in millions of euros", "RMB'000");
- the operation is walked as a Python AST (never ``eval``) with units: money of different currencies does not
  add or divide, amounts do not multiply, percent minus percent is percentage points, a ratio times 100 is a
  percentage;
- exact results are shown exactly; inexact ones to two decimals, as financial statements and TAT-QA write
  ratios, unless the question asks for other rounding ("to the nearest whole number");
- an amount is shown in the scale the question asks for ("Answer in USD millions"), else as its source writes it;
- the working shows every operand as its source states it, the operation and the result.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..text.quantities import SCALE_NAMES, Quantity, currency_code, stated_exponent

_OPERATORS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "/"}
_ROUNDING = re.compile(r"nearest\s+(whole|integer|percent|dollar|tenth|hundredth)|"
                       r"(\d|one|two|three|four)\s+decimal", re.I)
_PLACES = {"whole": 0, "integer": 0, "percent": 0, "dollar": 0, "tenth": 1, "hundredth": 2, "one": 1, "two": 2,
           "three": 3, "four": 4}
_KINDS = {"amount": "an amount", "percent": "a percentage", "pt": "percentage points", "ratio": "a ratio",
          "constant": "a constant"}


class CalculationError(ValueError):
    """A computed answer that does not check out; the message says what, for ``Answer.refusal_reason``."""


@dataclass
class Operand:
    """One figure of an operation, as its source states it (with the scale its units line gives it), and where."""

    stated: str
    value: str  # the exact amount used, scale applied
    citation: int  # number of the source that states it


@dataclass
class Calculation:
    """An operation the model chose, over figures qa took from the sources, and the result qa computed."""

    operation: str  # its name ("percentage change")
    expression: str  # how qa computed it, over names x0, x1... of the operands
    working: str  # the operation over the operands as the sources state them, with its result
    operands: list[Operand]
    result: str  # as shown in the answer: rounded, with its unit
    value: str  # the exact result, scale applied


@dataclass(frozen=True)
class _Value:
    """An intermediate result with its dimension: 'amount' (in ``unit``), 'percent', 'pt', 'ratio' or 'constant'."""

    amount: Decimal
    kind: str
    unit: str = ""
    exponent: int = 0  # scale to show an amount in
    template: str = ""  # how a source wrote an amount, to write the result the same way
    places: int = 0  # most digits after the point among the operands

    def replace(self, **changes) -> "_Value":
        return dataclasses.replace(self, **changes)


def over_figures(operation: str, expression: str, figures: list[tuple[Quantity, str, int]],
                 places: int | None = None, scale: Scale | None = None) -> Calculation:
    """Evaluate ``expression`` (names ``x0``, ``x1``... and integer constants) over figures qa took from the
    sources itself, each given as (figure, the text that states it, its citation number): no operand is looked
    up, so none can be one that no source states. ``CalculationError`` when the units do not agree."""
    tree = ast.parse(expression, mode="eval")
    operands, values = [], []
    for stated, text, citation in figures:
        exponent, label = _scale(stated, text)
        values.append(_value(stated, exponent, currency_code(stated, text)))
        operands.append(Operand(stated=label, value=str(values[-1].amount.normalize()), citation=citation))
    try:
        value = _Walker(values).visit(tree.body)
    except (InvalidOperation, ZeroDivisionError):
        raise CalculationError(f"the {operation} divides by zero") from None
    shown = _show(value, places, scale)
    return Calculation(operation=operation, expression=expression,
                       working=f"{_working(tree.body, operands)} = {shown}", operands=operands, result=shown,
                       value=str(value.amount.normalize()))


def _scale(stated: Quantity, text: str) -> tuple[int, str]:
    """The figure's power of ten and how to quote it, with the scale its units line gives a bare figure."""
    exponent = stated_exponent(stated, text)
    if exponent == stated.exponent:
        return exponent, stated.text
    return exponent, f"{stated.text} {SCALE_NAMES[exponent]}"


def _value(stated: Quantity, exponent: int, currency: str) -> _Value:
    if stated.unit == "%":
        return _Value(stated.value, "percent", "%", places=stated.places)
    if stated.unit == "pt":
        return _Value(stated.amount, "pt", "pt", places=stated.places)
    template = stated.text.replace("(", "").replace(")", "")  # "$(1,867)": the sign is the value's
    if exponent != stated.exponent:  # the scale came from a units line: write it out
        template += f" {SCALE_NAMES[exponent]}"
    return _Value(stated.value.scaleb(exponent), "amount", currency or stated.unit, exponent, template, stated.places)


class _Walker(ast.NodeVisitor):
    """Evaluates an operation over the operands' values, with units; anything but + - * /, names and integer
    constants is refused."""

    def __init__(self, values: list[_Value]):
        self.values = values

    def generic_visit(self, node):
        raise CalculationError(f"only + − × / are computed, not {type(node).__name__}")

    def visit_Name(self, node: ast.Name) -> _Value:
        return self.values[int(node.id[1:])]

    def visit_Constant(self, node: ast.Constant) -> _Value:
        """An integer of the operation itself: "* 100", or the count an average divides by."""
        if type(node.value) is not int:
            raise CalculationError(f"cannot compute with {node.value!r}")
        return _Value(Decimal(node.value), "constant")

    def visit_BinOp(self, node: ast.BinOp) -> _Value:
        left, right = self.visit(node.left), self.visit(node.right)
        operator = type(node.op)
        if operator in (ast.Add, ast.Sub):
            return _add(left, right, operator is ast.Sub)
        if operator is ast.Mult:
            return _multiply(left, right)
        if operator is ast.Div:
            return _divide(left, right)
        raise CalculationError("only + − × / are computed")


def _add(a: _Value, b: _Value, subtract: bool) -> _Value:
    amount = a.amount - b.amount if subtract else a.amount + b.amount
    places = max(a.places, b.places)
    if a.kind == b.kind == "amount":
        if a.unit and b.unit and a.unit != b.unit:
            raise CalculationError(f"cannot add {a.unit} and {b.unit}")
        if _scale_lost(a, b) or _scale_lost(b, a):
            raise CalculationError("cannot add a figure without a scale to one over a thousand times its size: "
                                   "its scale was likely lost")
        return a.replace(amount=amount, unit=a.unit or b.unit, exponent=max(a.exponent, b.exponent),
                         template=a.template if a.exponent >= b.exponent else b.template, places=places)
    if {a.kind, b.kind} <= {"percent", "pt"}:  # 12% - 10% is 2 points; 12% + 2 points is 14%
        kind = "pt" if (a.kind == b.kind == "percent" and subtract) or a.kind == b.kind == "pt" else "percent"
        return _Value(amount, kind, places=places)
    raise CalculationError(f"cannot add {_KINDS[a.kind]} and {_KINDS[b.kind]}")


def _scale_lost(bare: _Value, scaled: _Value) -> bool:
    """A figure with no scale of its own or from a units line, beside a scaled one over a thousand times its size:
    "$1,263 + 636 million" is a row whose "in millions" was not read, and its sum would show only the 636 million."""
    return bare.exponent == 0 < scaled.exponent and abs(bare.amount) * 1000 < abs(scaled.amount)


def _multiply(a: _Value, b: _Value) -> _Value:
    if a.kind in ("ratio", "constant") and b.kind not in ("ratio", "constant"):
        a, b = b, a
    if b.kind == "constant" and b.amount == 100 and a.kind == "ratio":
        return _Value(a.amount * 100, "percent", places=a.places)
    if b.kind in ("ratio", "constant"):
        kind = "ratio" if a.kind == "constant" else a.kind
        return a.replace(amount=a.amount * b.amount, kind=kind)
    if a.kind == "amount" and b.kind == "percent":
        return a.replace(amount=a.amount * b.amount / 100)
    if a.kind == "percent" and b.kind == "amount":
        return b.replace(amount=a.amount * b.amount / 100)
    raise CalculationError(f"cannot multiply {_KINDS[a.kind]} by {_KINDS[b.kind]}")


def _divide(a: _Value, b: _Value) -> _Value:
    if b.amount == 0:
        raise ZeroDivisionError
    if b.kind in ("ratio", "constant"):
        kind = "ratio" if a.kind == "constant" else a.kind
        return a.replace(amount=a.amount / b.amount, kind=kind)
    if a.kind == b.kind == "amount":
        if a.unit and b.unit and a.unit != b.unit:
            raise CalculationError(f"cannot divide {a.unit} by {b.unit}")
        return _Value(a.amount / b.amount, "ratio", places=max(a.places, b.places))
    if a.kind in ("percent", "pt") and b.kind in ("percent", "pt"):
        return _Value(a.amount / b.amount, "ratio", places=max(a.places, b.places))
    raise CalculationError(f"cannot divide {_KINDS[a.kind]} by {_KINDS[b.kind]}")


def asked_places(question: str) -> int | None:
    """Digits after the point the question asks for ("to two decimal places", "to the nearest whole number")."""
    match = _ROUNDING.search(question)
    if not match:
        return None
    word = (match[1] or match[2]).lower()
    return int(word) if word.isdigit() else _PLACES[word]


@dataclass(frozen=True)
class Scale:
    """The scale a question asks an amount in ("in USD millions": 6, "USD"); ``currency`` empty when it names none."""

    exponent: int
    currency: str = ""


_ASKED_SCALE = re.compile(r"\bin\s+(?:units\s+of\s+)?(?P<before>USD|US\$|\$)?\s*(?P<scale>thousand|million|billion)s?\b"
                          r"(?:\s+of\s+(?P<after>dollars|USD|US dollars))?", re.I)
_EXPONENTS = {name: exponent for exponent, name in SCALE_NAMES.items()}  # "million": 6


def asked_scale(question: str) -> Scale | None:
    """The scale the question asks for an amount in ("Answer in USD millions", "in billions of dollars")."""
    match = _ASKED_SCALE.search(question)
    if not match:
        return None
    return Scale(_EXPONENTS[match["scale"].lower()], "USD" if match["before"] or match["after"] else "")


def _show(value: _Value, places: int | None, scale: Scale | None = None) -> str:
    """The result as the answer shows it: exact when it is, else to two decimals (or as asked), with its unit; an
    amount whose scale its sources state in the scale asked for, unless it is money of another currency than
    the one asked (a bare "687" under "in USD millions" is most likely millions already, not 687 dollars)."""
    if value.kind == "amount" and value.exponent and scale and value.unit in ("", scale.currency or value.unit):
        value = value.replace(exponent=scale.exponent, template="", unit=value.unit or scale.currency, places=0)
        if places is None and value.amount:  # two decimals, or three significant digits of a small amount
            amount = value.amount.scaleb(-scale.exponent)
            rounded = amount.quantize(Decimal(1).scaleb(-max(2, 2 - amount.adjusted()))).normalize()
            places = max(0, -rounded.as_tuple().exponent)
    amount = value.amount.scaleb(-value.exponent) if value.kind == "amount" else value.amount
    if places is None:  # exact at the operands' precision, or two decimals without trailing zeros
        rounded = amount.quantize(Decimal(1).scaleb(-max(2, value.places)))
        places = max(value.places, -rounded.normalize().as_tuple().exponent)
    rounded = amount.quantize(Decimal(1).scaleb(-places))
    number, sign = f"{abs(rounded):,}", "-" if rounded < 0 else ""
    if value.kind == "percent":
        return f"{sign}{number}%"
    if value.kind == "pt":
        return f"{sign}{number} percentage points"
    if value.kind == "amount" and re.search(r"\d", value.template):
        return sign + re.sub(r"\d[\d,]*(?:\.\d+)?|\.\d+", number, value.template, count=1)
    if value.kind == "amount" and value.unit == "USD":  # "$5,466.31 million", as a US filing writes it
        return " ".join(filter(None, [f"{sign}${number}", SCALE_NAMES.get(value.exponent, "")]))
    scale_name = SCALE_NAMES.get(value.exponent, "") if value.kind == "amount" else ""
    return " ".join(filter(None, [f"{sign}{number}", scale_name, value.unit if value.kind == "amount" else ""]))


def _working(node: ast.AST, operands: list[Operand], parent: int = 0) -> str:
    """The operation written back with the operands as their sources state them and typographic operators."""
    if isinstance(node, ast.Name):
        return operands[int(node.id[1:])].stated
    if isinstance(node, ast.Constant):
        return str(node.value)
    precedence = 1 if isinstance(node.op, (ast.Add, ast.Sub)) else 2
    right = _working(node.right, operands, precedence + (not isinstance(node.op, (ast.Add, ast.Mult))))
    text = f"{_working(node.left, operands, precedence)} {_OPERATORS[type(node.op)]} {right}"
    return f"({text})" if precedence < parent else text
