"""Computed answers: the model writes the operation, qa does the arithmetic and checks every operand.

Small models get arithmetic wrong and write invented figures with confidence, so when an answer is a change,
a rate, a ratio, a difference, a sum or an average, the model is asked to write the operation in braces where
the result goes, over figures copied from the sources ("grew {(280.2 - 260.3) / 260.3 * 100}% [1]"). Here:

- each operand is read with ``qa.quantities`` and looked up among the figures of the sources, cited ones
  first: an operand no source states is refused, one written with the wrong scale ("280.2" for "280.2
  billion", millions for billions) takes the scale the source gives it. A bare figure under a units line
  ("in millions of euros", "RMB'000") gets that scale;
- the operation is walked as a Python AST (never ``eval``) with units: money of different currencies does not
  add or divide, amounts do not multiply, percent minus percent is percentage points, a ratio times 100 is a
  percentage. Bare integers up to 12, 100 and 1,000 may appear as constants, but only where they scale
  ("/ 2", "* 100") or meet a ratio ("- 1"), never added to an amount;
- exact results are shown exactly; inexact ones to two decimals, as financial statements and TAT-QA write
  ratios, unless the question asks for other rounding ("to the nearest whole number");
- the answer shows its working: every operand as its source states it, the operation and the result.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..text.quantities import SCALE_NAMES, SCALE_WORD, Quantity, quantities, stated_exponent

# An operation in braces, with what a model sometimes writes after it: more of the operation ("{a - b} / b *
# 100%"), which belongs to it, and its own result ("= 7.6%"), which qa replaces.
_NUMBER = r"[$€£¥]?\s?\d[\d,]*(?:\.\d+)?\s?%?"
CALCULATION = re.compile(r"\{(?P<inside>[^{}]{1,300})\}"
                         rf"(?P<more>(?:\s*[-+*/×÷−]\s*\(?\s*{_NUMBER}\)?)*)"
                         r"(?P<scale>\s*(?:thousand|million|billion|trillion)s?\b)?"
                         rf"(?P<own>\s*=\s*-?{_NUMBER}(?:\s*(?:thousand|million|billion))?)?")
_OPERATORS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "/"}
_TOKEN = re.compile(r"[()+\-−–*×÷/]")
_CONSTANTS = {Decimal(n) for n in range(1, 13)} | {Decimal(100), Decimal(1000)}
_ROUNDING = re.compile(r"nearest\s+(whole|integer|percent|dollar|tenth|hundredth)|"
                       r"(\d|one|two|three|four)\s+decimal", re.I)
_PLACES = {"whole": 0, "integer": 0, "percent": 0, "dollar": 0, "tenth": 1, "hundredth": 2, "one": 1, "two": 2,
           "three": 3, "four": 4}
_CANDIDATES_PER_OPERAND = 3
_KINDS = {"amount": "an amount", "percent": "a percentage", "pt": "percentage points", "ratio": "a ratio",
          "constant": "a constant"}


class CalculationError(ValueError):
    """A computed answer that does not check out; the message says what, for ``Answer.refusal_reason``."""


@dataclass
class Operand:
    """One figure of an operation: as the model wrote it, as the source states it, and where."""

    written: str
    stated: str  # the figure as its source writes it, with a scale read from the source's units line; or the constant
    value: str  # the exact amount used, scale applied
    citation: int | None  # number of the source that states it; None for a constant


@dataclass
class Calculation:
    """An operation the model wrote, the operands qa checked and the result qa computed."""

    expression: str  # as the model wrote it
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


_OPERATION = re.compile(r"[\w%)]\s*[-+*/×÷−]\s*\(*\s*[$€£¥]?\s?\d")  # an operator between two operands


def plain_braces(text: str) -> str:
    """Braces around something that is not an operation ("{8%}", "{27.45 billion yuan ($3.76 billion)}") taken
    off: models sometimes brace a figure they copied, which the ordinary checks then see."""
    return CALCULATION.sub(lambda m: m[0] if _OPERATION.search(m["inside"] + (m["more"] or "")) else
                           m[0].replace("{", "", 1).replace("}", "", 1), text)


def has_calculation(text: str) -> bool:
    return bool(CALCULATION.search(text))


def without_calculations(text: str) -> str:
    """The answer with each operation removed: what the ordinary checks of figures and names should see."""
    return CALCULATION.sub("", text)


def apply(text: str, question: str, sources: dict[int, str], cited: list[int]) -> tuple[str, list[Calculation]]:
    """``text`` with each operation replaced by its checked result and the working appended, and the
    calculations. ``sources`` maps citation numbers to source text; ``cited`` are the ones the answer cites.
    Raises ``CalculationError`` when an operand is in no source or the units do not agree."""
    places = asked_places(question)
    calculations: list[Calculation] = []

    def substitute(match: re.Match) -> str:
        after = text[match.end():].lstrip()
        operation = f"({match['inside']}){match['more']}" if match["more"] else match["inside"]
        percent = after.startswith("%") or "%" in (match["own"] or "") or operation.rstrip().endswith("%")
        calculation = compute(operation.rstrip().removesuffix("%"), sources, cited, places, percent)
        calculations.append(calculation)
        if SCALE_WORD.search(calculation.result):  # the source's scale, not the one the model wrote
            return _fit(calculation.result, text[:match.start()], after)
        return _fit(calculation.result, text[:match.start()], (match["scale"] or "").strip() + after) + \
            (match["scale"] or "")

    result = CALCULATION.sub(substitute, text)
    result = re.sub(r"(\d)\s+%", r"\1%", result).rstrip()
    result += "" if result.endswith((".", "!", "?")) else "."
    needed = [o.citation for c in calculations for o in c.operands if o.citation is not None]
    marks = "".join(f"[{n}]" for n in dict.fromkeys(needed))
    workings = "; ".join(c.working for c in calculations)
    return f"{result} Working: {workings} {marks}".rstrip() + ".", calculations


def _fit(result: str, before: str, after: str) -> str:
    """The result without the currency sign or the words the model already wrote around its braces
    ("${...} billion", "{...}%", "{...} million euros")."""
    number = re.search(r"-?\d[\d,]*(?:\.\d+)?", result)
    if not number:
        return result
    head, tail = result[:number.start()], result[number.end():]
    if head.strip() and before.rstrip().endswith(head.strip().lstrip("-")):
        head = "-" if head.startswith("-") else ""
    scales = [w for w in tail.split() if SCALE_WORD.fullmatch(w)]
    units = [w for w in tail.split() if not SCALE_WORD.fullmatch(w)]
    if units and after.lower().startswith(units[0].lower()):  # "{...} yuan": keep the scale, not the unit
        tail = "".join(f" {w}" for w in scales)
    elif scales and after.lower().startswith(scales[0].lower()):
        tail = ""
    return f"{head}{number[0]}{tail}"


def compute(expression: str, sources: dict[int, str], cited: list[int], places: int | None = None,
            percent: bool = False) -> Calculation:
    """Check and evaluate one operation; ``percent`` when the answer writes '%' after it."""
    expression = expression.split("=")[0].strip()
    skeleton, written = _skeleton(expression)
    try:
        tree = ast.parse(skeleton, mode="eval")
    except SyntaxError:
        raise CalculationError(f"cannot read the operation {expression!r}") from None
    scaling = _scaling_names(tree)
    readings = [_readings(w, sources, cited, f"x{i}" in scaling) for i, w in enumerate(written)]
    errors = []
    for choice in itertools.islice(itertools.product(*readings), 64):
        try:
            return _evaluated(expression, tree, written, choice, places, percent)
        except CalculationError as exc:
            errors.append(str(exc))
    raise CalculationError(errors[0] if errors else f"cannot check {expression!r}")


def over_figures(expression: str, figures: list[tuple[Quantity, str, int]], places: int | None = None
                 ) -> Calculation:
    """Evaluate ``expression`` (names ``x0``, ``x1``... and integer constants) over figures qa took from the
    sources itself, each given as (figure, the text that states it, its citation number): no operand is looked
    up, so none can be one that no source states."""
    tree = ast.parse(expression, mode="eval")
    readings = []
    for stated, text, citation in figures:
        exponent, label = _scale(stated, text)
        readings.append(_Reading(_value(stated, exponent), label, citation))
    return _evaluated(expression, tree, [q for q, _, _ in figures], tuple(readings), places, False)


def _evaluated(expression: str, tree: ast.Expression, written: list[Quantity], choice: tuple[_Reading, ...],
               places: int | None, percent: bool) -> Calculation:
    """The calculation of ``tree`` with one reading per operand, or ``CalculationError`` when units disagree."""
    try:
        value = _Walker(choice).visit(tree.body)
    except (InvalidOperation, ZeroDivisionError):
        raise CalculationError(f"the operation {expression!r} divides by zero") from None
    if value.kind == "ratio" and percent:
        value = value.replace(amount=value.amount * 100, kind="percent")
    operands = [_operand(w, r) for w, r in zip(written, choice)]
    shown = _show(value, places)
    working = _working(tree.body, operands)
    return Calculation(expression=expression, working=f"{working} = {shown}", operands=operands,
                       result=shown, value=str(value.amount.normalize()))


def _skeleton(expression: str) -> tuple[str, list[Quantity]]:
    """The operation with each operand replaced by a name (``x0``, ``x1``...), and the operands as read."""
    parts, written = [], []
    for piece in re.split(rf"({_TOKEN.pattern})", expression):
        if _TOKEN.fullmatch(piece):
            parts.append({"−": "-", "–": "-", "×": "*", "÷": "/"}.get(piece, piece))
        elif piece.strip():
            found = quantities(piece.strip())
            if len(found) != 1 or found[0].text.strip() != piece.strip().removesuffix("."):
                raise CalculationError(f"cannot read {piece.strip()!r} as a figure")
            parts.append(f"x{len(written)}")
            written.append(found[0])
    return " ".join(parts), written


@dataclass(frozen=True)
class _Reading:
    """An operand as one source states it (or as a constant when ``citation`` is None)."""

    value: _Value
    stated: str
    citation: int | None


def _scaling_names(tree: ast.Expression) -> set[str]:
    """Operands that multiply or divide: there a small bare integer is a count or 100, not a source's figure."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            sides = [node.right] if isinstance(node.op, ast.Div) else [node.left, node.right]
            names |= {side.id for side in sides if isinstance(side, ast.Name)}
    return names


def _readings(written: Quantity, sources: dict[int, str], cited: list[int], scaling: bool) -> list[_Reading]:
    """The ways the sources state a written operand, cited sources first, one per distinct unit and scale.
    A small bare integer may also be a constant: tried first where it scales, last elsewhere."""
    found: dict[tuple, tuple[tuple, _Reading]] = {}
    order = list(dict.fromkeys(cited + sorted(sources)))
    for rank, n in enumerate(order):
        text = sources[n]
        for stated in quantities(text):
            if stated.is_year() or not _same_written(written, stated):
                continue
            exponent, label = _scale(stated, text)
            key = (stated.unit, exponent, stated.value)
            # prefer the figure as written (digits, unit, scale), then cited sources, then the first stated
            preference = (abs(stated.value) != abs(written.value), bool(written.unit) and stated.unit != written.unit,
                          bool(written.exponent) and stated.exponent != written.exponent, rank)
            if key not in found or preference < found[key][0]:
                found[key] = (preference, _Reading(_value(stated, exponent), label, n))
    readings = [reading for _, reading in sorted(found.values(), key=lambda f: f[0])][:_CANDIDATES_PER_OPERAND]
    if written.exponent == 0 and (written.unit == "" or written.unit == "%" and written.value == 100) \
            and written.value in _CONSTANTS:  # "* 100%" is how some write "as a percentage"
        constant = _Reading(_Value(written.value, "constant", places=written.places), written.text, None)
        readings.insert(0 if scaling else len(readings), constant)
    if not readings:
        raise CalculationError(f"{written.text} is in no source")
    return readings


def _same_written(written: Quantity, stated: Quantity) -> bool:
    """Whether a source figure is the one the model copied: the same number as written, or the source's
    more precise one that rounds to it, whatever the sign (a model copies "(1,234)" as "1,234"), the scale or
    the currency (qa takes the source's), but a percentage only for a percentage."""
    if written.kind() == "percent" and stated.kind() != "percent" or stated.places < written.places:
        return False
    return abs(abs(written.value) - abs(stated.value)) <= Decimal(1).scaleb(-written.places) / 2


def _scale(stated: Quantity, text: str) -> tuple[int, str]:
    """The figure's power of ten and how to quote it, with the scale its units line gives a bare figure."""
    exponent = stated_exponent(stated, text)
    if exponent == stated.exponent:
        return exponent, stated.text
    return exponent, f"{stated.text} {SCALE_NAMES[exponent]}"


def _value(stated: Quantity, exponent: int) -> _Value:
    if stated.unit == "%":
        return _Value(stated.value, "percent", "%", places=stated.places)
    if stated.unit == "pt":
        return _Value(stated.amount, "pt", "pt", places=stated.places)
    template = stated.text.replace("(", "").replace(")", "")  # "$(1,867)": the sign is the value's
    if exponent != stated.exponent:  # the scale came from a units line: write it out
        template += f" {SCALE_NAMES[exponent]}"
    return _Value(stated.value.scaleb(exponent), "amount", stated.unit, exponent, template, stated.places)


def _operand(written: Quantity, reading: _Reading) -> Operand:
    return Operand(written=written.text, stated=reading.stated, value=str(reading.value.amount.normalize()),
                   citation=reading.citation)


class _Walker(ast.NodeVisitor):
    """Evaluates an operation over checked operands, with units; anything but + - * / and parentheses is refused."""

    def __init__(self, readings: tuple[_Reading, ...]):
        self.readings = readings

    def generic_visit(self, node):
        raise CalculationError(f"only + − × / are computed, not {type(node).__name__}")

    def visit_Name(self, node: ast.Name) -> _Value:
        return self.readings[int(node.id[1:])].value

    def visit_Constant(self, node: ast.Constant) -> _Value:
        """An integer the operation itself states (``* 100``, ``/ 3``): only in operations qa builds."""
        if type(node.value) is not int:
            raise CalculationError(f"cannot compute with {node.value!r}")
        return _Value(Decimal(node.value), "constant")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> _Value:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.UAdd):
            return value
        if not isinstance(node.op, ast.USub):
            raise CalculationError("only + − × / are computed")
        if isinstance(node.operand, ast.Name) and value.amount < 0:
            return value  # the model copied the source's minus sign: the operand is the source's negative figure
        return value.replace(amount=-value.amount)

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
        return a.replace(amount=amount, unit=a.unit or b.unit, exponent=max(a.exponent, b.exponent),
                         template=a.template if a.exponent >= b.exponent else b.template, places=places)
    if {a.kind, b.kind} <= {"percent", "pt"}:  # 12% - 10% is 2 points; 12% + 2 points is 14%
        kind = "pt" if (a.kind == b.kind == "percent" and subtract) or a.kind == b.kind == "pt" else "percent"
        return _Value(amount, kind, places=places)
    if {a.kind, b.kind} == {"percent", "constant"}:  # 100 - 45.2%, 112.5% - 100
        return _Value(amount, "percent", places=places)
    if {a.kind, b.kind} <= {"ratio", "constant"}:
        return _Value(amount, "ratio", places=places)
    figure = a if a.kind == "constant" else b
    if figure.kind == "constant":
        raise CalculationError(f"{figure.amount} is in no source")
    raise CalculationError(f"cannot add {_KINDS[a.kind]} and {_KINDS[b.kind]}")


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


def _show(value: _Value, places: int | None) -> str:
    """The result as the answer shows it: exact when it is, else to two decimals (or as asked), with its unit."""
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
    scale = SCALE_NAMES.get(value.exponent, "") if value.kind == "amount" else ""
    return " ".join(filter(None, [f"{sign}{number}", scale, value.unit if value.kind == "amount" else ""]))


def _working(node: ast.AST, operands: list[Operand], parent: int = 0) -> str:
    """The operation written back with the operands as their sources state them and typographic operators."""
    if isinstance(node, ast.Name):
        return operands[int(node.id[1:])].stated
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.UnaryOp):
        absorbed = isinstance(node.operand, ast.Name) and operands[int(node.operand.id[1:])].value.startswith("-")
        return ("" if absorbed else "−") + _working(node.operand, operands, 3)
    precedence = 1 if isinstance(node.op, (ast.Add, ast.Sub)) else 2
    right = _working(node.right, operands, precedence + (not isinstance(node.op, (ast.Add, ast.Mult))))
    text = f"{_working(node.left, operands, precedence)} {_OPERATORS[type(node.op)]} {right}"
    return f"({text})" if precedence < parent else text
