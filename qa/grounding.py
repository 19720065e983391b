"""Checks that hold an answer to its sources, independent of what the model claims.

Small models invent figures and names, and none of the local ones reliably says "I don't know", so an
answer's figures and names are looked up in the sources it cites. Figures are compared as quantities
(``qa.quantities``), so "12.5 mln dlrs" supports "$12.5 million".
"""

from __future__ import annotations

import re
from dataclasses import replace

from .quantities import quantities, same, stated_exponent

_CITATION = re.compile(r"\[(\d+)\]")
_FIRST_WORD = re.compile(r"^\W*\w+")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Za-z]+)*\b")
COMMON_CAPITALISED = {
    "The", "A", "An", "In", "On", "Its", "It", "For", "Of", "And", "But", "Or", "To", "At", "By", "As", "This",
    "That", "These", "Those", "What", "Which", "Who", "Whom", "Whose", "When", "Where", "Why", "How", "Did",
    "Does", "Do", "Was", "Were", "Is", "Are", "Has", "Have", "Had", "Will", "Would", "Can", "Could", "Should",
    "According", "Revenue", "Net", "Income", "Profit", "Sales", "Quarter", "Year", "Their", "His", "Her",
    "He", "She", "They", "We", "I", "Yes", "No", "Not", "Also", "About", "After", "Before", "During", "From",
    "With", "Without", "Chief", "Executive", "Officer", "Group", "Holding", "Holdings", "Inc", "Corp", "Co",
    "Ltd", "Company", "Billion", "Million", "Trillion", "Source", "Sources", "Both", "Each", "Total", "Than",
    "Over", "Under", "Up", "Down", "Say", "Says", "Said", "Tell", "Me", "Give", "List", "Name", "Compare",
    "Fiscal", "First", "Second", "Third", "Fourth", "Last", "Next", "Between", "Among", "Q1", "Q2", "Q3", "Q4",
}


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text)


def cited_numbers(text: str) -> list[int]:
    return [int(n) for n in _CITATION.findall(text)]


def names(text: str) -> set[str]:
    """Capitalised words that look like proper names (companies, people, places, products, months)."""
    words = {w.removesuffix("'s") for w in _NAME.findall(strip_citations(text))}
    return {w for w in words if w not in COMMON_CAPITALISED}


def years(text: str) -> set[str]:
    return set(re.findall(r"\b(?:19|20)\d\d\b", text))


def unsupported_figures(answer: str, evidence: str, question: str = "") -> list[str]:
    """Figures of ``answer`` that neither the evidence nor the question states; a bare figure of the evidence
    under a units line ("in thousands") also supports the figure with that scale ("$1,150 thousand")."""
    stated = quantities(evidence)
    scaled = [replace(q, exponent=e) for q in stated if (e := stated_exponent(q, evidence)) != q.exponent]
    have = stated + scaled + quantities(question)
    return [str(q) for q in quantities(strip_citations(answer)) if not any(same(q, h) for h in have)]


def unsupported_names(answer: str, evidence: str, question: str = "") -> list[str]:
    """Names in ``answer`` that neither the evidence nor the question contains."""
    lowered = f"{evidence} {question}".lower()
    return sorted(n for n in names(answer) if n.lower() not in lowered)


def key_terms(question: str) -> set[str]:
    """The names and years a question asks about: the sharpest signal of which article it means. Its first
    word is capitalised by grammar, not because it names something ("Describe ...", "Summarise ...")."""
    rest = _FIRST_WORD.sub("", question, count=1)
    return names(rest) | years(question)


def uncovered_terms(question: str, sources: str) -> list[str]:
    """Names and years the question asks about that the sources never mention: a question about Netflix put
    to articles that never name it, or about 2023 to articles about 2024. Other words of the question are not
    looked for: questions paraphrase them ("belong", "now hold"), names and years they cannot."""
    lowered = sources.lower()
    return sorted(t for t in key_terms(question) if t.lower() not in lowered)
