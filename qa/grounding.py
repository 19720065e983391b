"""Checks that decide whether an answer is supported, independent of what the model claims.

Small models invent figures and names, and none of the local ones reliably says "I don't know", so
refusal rests on these deterministic checks as much as on the model's own sentinel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCALES = {
    "thousand": "thousand", "k": "thousand",
    "million": "million", "mn": "million", "m": "million",
    "billion": "billion", "bn": "billion", "b": "billion",
    "trillion": "trillion", "tn": "trillion",
    "%": "percent", "percent": "percent", "pct": "percent", "per cent": "percent",
    "percentage point": "point", "percentage points": "point",
}
_NUMBER = re.compile(
    r"(?<![\w.])(-?\d[\d,]*(?:\.\d+)?)\s*(%|per cent|percent|pct|percentage points?|trillion|billion|million|"
    r"thousand|tn|bn|mn|k|m|b)?(?![\w])", re.I,
)
_CITATION = re.compile(r"\[(\d+)\]")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Za-z]+)*\b")
COMMON_CAPITALISED = {
    "The", "A", "An", "In", "On", "Its", "It", "For", "Of", "And", "But", "Or", "To", "At", "By", "As", "This",
    "That", "These", "Those", "What", "Which", "Who", "Whom", "Whose", "When", "Where", "Why", "How", "Did",
    "Does", "Do", "Was", "Were", "Is", "Are", "Has", "Have", "Had", "Will", "Would", "Can", "Could", "Should",
    "According", "Revenue", "Net", "Income", "Profit", "Sales", "Quarter", "Year", "Its", "Their", "His", "Her",
    "He", "She", "They", "We", "I", "Yes", "No", "Not", "Also", "About", "After", "Before", "During", "From",
    "With", "Without", "Chief", "Executive", "Officer", "Group", "Holding", "Holdings", "Inc", "Corp", "Co",
    "Ltd", "Company", "Billion", "Million", "Trillion", "Source", "Sources", "Both", "Each", "Total", "Than",
    "Over", "Under", "Up", "Down", "Say", "Says", "Said", "Tell", "Me", "Give", "List", "Name", "Compare",
    "Fiscal", "First", "Second", "Third", "Fourth", "Last", "Next", "Between", "Among", "Q1", "Q2", "Q3", "Q4",
}


@dataclass(frozen=True)
class Quantity:
    """A number as written, reduced to value and scale so '6,710 million' and '6.71 billion' compare."""

    value: float
    scale: str  # '', 'thousand', 'million', 'billion', 'trillion', 'percent', 'point'

    def magnitude(self) -> float:
        factor = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}.get(self.scale, 1.0)
        return self.value * factor


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text)


def cited_numbers(text: str) -> list[int]:
    return [int(n) for n in _CITATION.findall(text)]


def quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` with its scale word, if any; citation markers are not numbers."""
    found = []
    for match in _NUMBER.finditer(strip_citations(text)):
        raw, unit = match.group(1).replace(",", ""), (match.group(2) or "").lower()
        try:
            value = float(raw)
        except ValueError:
            continue
        found.append(Quantity(value, SCALES.get(unit, "")))
    return found


def same_quantity(a: Quantity, b: Quantity) -> bool:
    """Equal as written, or equal in magnitude across scales (0.5% tolerance for rounding of the scale change)."""
    if a == b:
        return True
    if a.scale in ("percent", "point") or b.scale in ("percent", "point"):
        return a.scale == b.scale and abs(a.value - b.value) < 1e-9
    if not a.scale or not b.scale:
        return False
    big = max(abs(a.magnitude()), abs(b.magnitude()))
    return big > 0 and abs(a.magnitude() - b.magnitude()) <= 0.005 * big


def names(text: str) -> set[str]:
    """Capitalised words that look like proper names (companies, people, places, products, months)."""
    words = {w.removesuffix("'s") for w in _NAME.findall(strip_citations(text))}
    return {w for w in words if w not in COMMON_CAPITALISED}


def years(text: str) -> set[str]:
    return set(re.findall(r"\b(?:19|20)\d\d\b", text))


def unsupported(answer: str, evidence: str, question: str = "") -> list[str]:
    """Figures and names in ``answer`` that neither the evidence nor the question contains."""
    have = quantities(evidence) + quantities(question)
    missing = [f"{q.value:g} {q.scale}".strip() for q in quantities(answer)
               if not any(same_quantity(q, h) for h in have)]
    lowered = (evidence + " " + question).lower()
    missing += [n for n in names(answer) if n.lower() not in lowered]
    return missing


def key_terms(question: str) -> set[str]:
    """The names and years a question asks about: what the sources must mention to answer it."""
    return names(question) | years(question)


def uncovered_terms(question: str, context: str) -> list[str]:
    """Names and years the question asks about that the retrieved context never mentions."""
    lowered = context.lower()
    return sorted(t for t in key_terms(question) if t.lower() not in lowered)
