"""Checks that decide whether an answer is supported, independent of what the model claims.

Small models invent figures and names, and none of the local ones reliably says "I don't know", so
refusal rests on these deterministic checks as much as on the model's own sentinel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SCALES = {
    "thousand": "thousand", "k": "thousand",
    "million": "million", "mn": "million", "m": "million",
    "billion": "billion", "bn": "billion", "b": "billion",
    "trillion": "trillion", "tn": "trillion",
    "%": "percent", "percent": "percent", "pct": "percent", "per cent": "percent",
    "percentage point": "point", "percentage points": "point",
}
_NUMBER = re.compile(
    r"(?<![\w.-])(-?\d[\d,]*(?:\.\d+)?)\s*(%|per cent|percent|pct|percentage points?|trillion|billion|million|"
    r"thousand|tn|bn|mn|k|m|b)?(?![\w])", re.I,
)
_CITATION = re.compile(r"\[(\d+)\]")
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


MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"}


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
    return [q for q, _ in located_quantities(strip_citations(text))]


def located_quantities(text: str) -> list[tuple[Quantity, int]]:
    """Numbers with their scale and the offset where each starts in ``text``."""
    found = []
    for match in _NUMBER.finditer(text):
        raw, unit = match.group(1).replace(",", ""), (match.group(2) or "").lower()
        try:
            value = float(raw)
        except ValueError:
            continue
        found.append((Quantity(value, SCALES.get(unit, "")), match.start()))
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


# Words a question uses to ask rather than to name its topic; articles rarely repeat them.
QUESTION_WORDS = set("""much many fast quick big larg small high low grow grew rise rose fall fell drop increas decreas make made
report post say said tell give chang compar did doe what which who whom whose when where why how was were is are
has have had the a an of in on for to and or by with at as from its it their year quarter period month time end
ended 2024 2025 total number amount figur get got record new first last over under per during between than
compani firm group busi result result number valu level rate share percentag percent pay paid spend spent
expect plan announc declar name one two three four five six seven eight nine ten set will would can could
should faster slower more less most least higher lower bigger larger smaller greater own run execut countri citi
app date day price kind type sort partnership""".split())
# Finance wording that questions and articles use interchangeably, reduced to one stem.
SYNONYMS = {"stock": "share", "profit": "incom", "earn": "incom", "sale": "revenu", "turnov": "revenu",
            "ceo": "chief", "boss": "chief", "head": "chief", "staff": "employe", "worker": "employe",
            "buy": "deal", "bought": "deal", "acquir": "deal", "purchas": "deal", "sell": "deal", "sold": "deal",
            "cost": "price"}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def stems(text: str) -> set[str]:
    """Stemmed words, with finance synonyms folded together."""
    words = re.findall(r"[a-z0-9]+(?:[.'][a-z0-9]+)*", text.lower())
    return {SYNONYMS.get(s, s) for s in _stemmer().stemWords([w.removesuffix("'s") for w in words])}


@lru_cache(maxsize=1)
def _asking_stems() -> frozenset[str]:
    return frozenset(stems(" ".join(QUESTION_WORDS)))


def uncovered_topics(question: str, context: str) -> list[str]:
    """Topic words of the question (not its asking words) that the chosen articles never use."""
    have = stems(context)
    return sorted(w for w in stems(question) - _asking_stems() if w not in have and not w.isdigit())


_ASKS_FIGURE = re.compile(r"^\s*(?:how (?:much|many|fast|big|large|high|low|far)|by how much|what (?:percentage|share|"
                          r"price|amount|rate)|at what (?:price|rate))\b", re.I)
_ASKS_NAME = re.compile(r"^\s*(?:who|whom|which (?:company|companies|firm|executive|person|people|country|bank|"
                        r"brand|model|unit|group|app))\b", re.I)


def missing_answer_type(question: str, answer: str) -> str:
    """What the answer lacks that the question's wording asks for: '' when it has it."""
    if _ASKS_FIGURE.search(question):
        asked = quantities(question)
        new = [q for q in quantities(answer)
               if not (q.scale == "" and 1900 <= q.value <= 2100) and not any(same_quantity(q, a) for a in asked)]
        return "" if new else "the answer gives no figure"
    if _ASKS_NAME.search(question):
        return "" if names(answer) - names(question) else "the answer names no one"
    return ""


def figure_in_context(answer: str, question: str, sentences: list[tuple[str, str]]) -> list[str]:
    """Answer figures whose source never ties them to what the question names.

    Catches a right figure from the wrong subject: Apple's China revenue given as Huawei's or Meta's. News
    puts the subject before the figure, so a figure counts as being about a name when the name is in its
    article's title or earlier in its sentence. ``sentences`` holds (sentence, article title and dateline)
    pairs from the passages the model saw; pass the titles as sentences too.
    """
    wanted = [n.lower() for n in names(question) if n not in MONTHS]
    asked = quantities(question)
    stray = []
    for q in quantities(answer):
        if (q.scale == "" and 1900 <= q.value <= 2100) or any(same_quantity(q, a) for a in asked):
            continue
        homes = [f"{header} {s[:start]}".lower() for s, header in sentences
                 for h, start in located_quantities(s) if same_quantity(q, h)]
        if homes and not any(all(w in home for w in wanted) for home in homes):
            stray.append(f"{q.value:g} {q.scale}".strip())
    return stray
