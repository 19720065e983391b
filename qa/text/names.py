"""Names and years in text: the terms a question cannot paraphrase, so the sharpest signal of what it is about.

Search lifts passages that hold them, context makes sure the model reads a sentence with each, and the checks
refuse a question whose names no source mentions or an answer whose names no source gives.
"""

from __future__ import annotations

import re

from .dates import YEAR

# A citation as qa writes it ("[2]") or as a model may ("[1, 3]", "[2-4]").
CITATION = re.compile(r"\[\d+(?:\s*[,;–-]\s*\d+)*\]")


def strip_citations(text: str) -> str:
    return CITATION.sub("", text)

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


def names(text: str) -> set[str]:
    """Capitalised words that look like proper names (companies, people, places, products, months)."""
    words = {w.removesuffix("'s") for w in _NAME.findall(strip_citations(text))}
    return {w for w in words if w not in COMMON_CAPITALISED}


_YEAR = re.compile(rf"\b(?:FY|fiscal\s+(?:year\s+)?)?({YEAR})\b|\bFY\s?'?(\d\d)\b", re.I)


def years(text: str) -> set[str]:
    """The years ``text`` names, fiscal ones too: "2024", "FY2018" and "FY22" (2022)."""
    return {full or "20" + short for full, short in _YEAR.findall(text)}


# A question's sentences end at "?" or "!", or at a full stop after four letters, digits or a bracket: "Round to one
# decimal. Please ..." ends one, "Rev. Elie", "St. Augustine", "Mr. Costa" and "the U.S. Dollar" do not.
_QUESTION_SENTENCE_END = re.compile(r"(?<=[?!])\s+|(?<=[\w)%]{4}\.)\s+")


def key_terms(question: str) -> set[str]:
    """The names and years a question asks about: the sharpest signal of which article it means. The first word
    of each of its sentences is capitalised by grammar, not because it names something ("Describe ...", "Round
    your answer ...", "Please answer ...")."""
    rests = [_FIRST_WORD.sub("", sentence, count=1) for sentence in _QUESTION_SENTENCE_END.split(question)]
    return set().union(*map(names, rests)) | years(question)


