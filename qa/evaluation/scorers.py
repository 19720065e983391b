"""Deterministic scorers for answers, one per question kind, plus retrieval and citation metrics.

Numeric answers are compared as figures, not strings: value, scale and currency are parsed, and two
figures match within the rounding of the coarser one ("$6.71 billion" = "6,710 million dollars" =
"US$6.7bn"). Only the answer's own figure counts: the first figure of the gold's kind that is not a year
and not a number the question itself contains.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from ..grounding import strip_citations
from ..prompts import REFUSAL

_SCALE = {"thousand": 3, "k": 3, "million": 6, "mn": 6, "m": 6, "mln": 6, "billion": 9, "bn": 9, "b": 9,
          "bln": 9, "trillion": 12, "tn": 12, "trn": 12}
_CURRENCY_BEFORE = {"us$": "USD", "$": "USD", "usd": "USD", "hk$": "HKD", "nt$": "TWD", "€": "EUR", "eur": "EUR",
                    "£": "GBP", "¥": "CNY", "rmb": "CNY", "cny": "CNY", "₩": "KRW"}
_CURRENCY_AFTER = [
    (r"hong kong dollars?|hk dollars?", "HKD"), (r"new taiwan dollars?|taiwan dollars?", "TWD"),
    (r"(?:u\.?s\.? )?dollars?|usd", "USD"), (r"yuan|renminbi|rmb|cny", "CNY"), (r"won|krw", "KRW"),
    (r"euros?|eur", "EUR"), (r"pounds?|gbp", "GBP"),
]
_FIGURE = re.compile(
    r"(?P<cur>us\$|hk\$|nt\$|\$|€|£|¥|₩|rmb|usd|cny|eur)?\s*"
    r"(?P<num>[-−]?\d[\d,]*(?:\.\d+)?)\s*"
    r"(?P<pct>%|per ?cent|pct|percentage points?)?\s*"
    r"(?P<scale>thousand|trillion|billion|million|bln|mln|trn|tn|bn|mn|k|m|b)?\b\s*"
    r"(?P<pct2>%|per ?cent|pct)?\s*"
    r"(?P<after>" + "|".join(p for p, _ in _CURRENCY_AFTER) + r")?",
    re.I,
)
REFUSAL_PATTERNS = re.compile(
    r"don'?t say|do not say|does not say|doesn'?t say|not (?:stated|mentioned|given|provided|in the (?:sources|articles|context))"
    r"|no information|cannot (?:be )?answer|can'?t answer|unable to answer|not enough information|unanswerable"
    r"|^\s*$", re.I,
)


@dataclass(frozen=True)
class Figure:
    """A figure as written: exact decimal value, power-of-ten scale, currency code or '%', and its precision."""

    value: Decimal
    exponent: int
    unit: str  # currency code, '%', 'pt' or ''
    places: int  # digits after the decimal point as written

    @property
    def amount(self) -> Decimal:
        return self.value.scaleb(self.exponent)

    @property
    def step(self) -> Decimal:
        """The size of one unit in the last written digit, in absolute terms."""
        return Decimal(1).scaleb(self.exponent - self.places)

    def kind(self) -> str:
        return "percent" if self.unit in ("%", "pt") else ("money" if self.unit else "count")


def figures(text: str) -> list[Figure]:
    """Every figure in ``text`` with its scale and currency; citation markers like [1] are ignored."""
    found = []
    for m in _FIGURE.finditer(strip_citations(text).replace("−", "-")):
        raw = m.group("num").replace(",", "")
        if not re.search(r"\d", raw):
            continue
        places = len(raw.split(".")[1]) if "." in raw else 0
        scale = (m.group("scale") or "").lower()
        pct = (m.group("pct") or m.group("pct2") or "").lower()
        unit = "pt" if "point" in pct else ("%" if pct else _currency(m.group("cur"), m.group("after")))
        if scale in ("m", "b", "k") and not (m.group("cur") or m.group("after")):
            scale = ""  # a bare "m" or "b" without a currency is more likely a word than a scale
        found.append(Figure(Decimal(raw), _SCALE.get(scale, 0), unit, places))
    return found


def _currency(before: str | None, after: str | None) -> str:
    if before:
        return _CURRENCY_BEFORE[before.lower()]
    for pattern, code in _CURRENCY_AFTER:
        if after and re.fullmatch(pattern, after, re.I):
            return code
    return ""


def figures_match(gold: Figure, got: Figure) -> bool:
    """Same unit and the same amount within half a step of the coarser of the two precisions."""
    if gold.unit != got.unit and not (gold.unit == "%" and got.unit == "pt"):
        return False
    tolerance = max(gold.step, got.step) / 2
    return abs(gold.amount - got.amount) <= tolerance


def is_year(f: Figure) -> bool:
    return f.unit == "" and f.exponent == 0 and f.places == 0 and 1900 <= f.value <= 2100


def answer_figure(prediction: str, like: Figure, question: str = "") -> Figure | None:
    """The prediction's answer figure: the first of the gold's kind that is not a year or a question number."""
    asked = figures(question)
    for f in figures(prediction):
        if is_year(f) or f.kind() != like.kind() or any(f == q for q in asked):
            continue
        return f
    return None


def score_numeric(prediction: str, answers: list[str], question: str = "") -> bool:
    for gold_text in answers:
        golds = [f for f in figures(gold_text) if not is_year(f)]
        if not golds:
            continue
        got = answer_figure(prediction, golds[0], question)
        if got is not None and figures_match(golds[0], got):
            return True
    return False


def normalize(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = re.sub(r"['’]s\b", "", strip_citations(text).lower())  # "Tencent's" answers "Tencent"
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, answers: list[str]) -> bool:
    return any(normalize(prediction) == normalize(a) for a in answers)


def token_f1(prediction: str, answers: list[str]) -> float:
    best = 0.0
    pred = normalize(prediction).split()
    for answer in answers:
        gold = normalize(answer).split()
        common = sum((Counter(pred) & Counter(gold)).values())
        if common:
            precision, recall = common / len(pred), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains(prediction: str, answers: list[str]) -> bool:
    padded = f" {normalize(prediction)} "
    return any(f" {normalize(a)} " in padded for a in answers if normalize(a))


def score_text(prediction: str, answers: list[str]) -> bool:
    return exact_match(prediction, answers) or contains(prediction, answers)


def score_choice(prediction: str, answers: list[str], rivals: list[str]) -> bool:
    """A comparison ("Alibaba's or Tencent's?"): a gold name is given, and before any rival, because answers
    name the winner first ("Tencent's grew faster than Alibaba's"); merely mentioning the gold is not enough."""
    padded = f" {normalize(prediction)} "
    gold, rival = (min((i for i in (padded.find(f" {normalize(n)} ") for n in names if normalize(n)) if i >= 0),
                       default=None) for names in (answers, rivals))
    return gold is not None and (rival is None or gold < rival)


def score_list(prediction: str, answers: list[str]) -> bool:
    """Every gold item is present."""
    return all(contains(prediction, [item]) for item in answers)


def is_refusal(answer: str) -> bool:
    """A refusal however phrased: the fixed sentence, or wording that says the sources lack the answer."""
    return answer.strip() == REFUSAL or bool(REFUSAL_PATTERNS.search(answer))


def score(kind: str, prediction: str, answers: list[str], refused: bool, question: str = "",
          rivals: list[str] | None = None) -> bool:
    """Correct or not. A refused answerable question is wrong; an unanswerable one is right only if refused.
    ``rivals`` are the losing options of a comparison question."""
    if kind == "unanswerable":
        return refused
    if refused:
        return False
    if kind == "numeric":
        return score_numeric(prediction, answers, question)
    if kind == "list":
        return score_list(prediction, answers)
    if rivals:
        return score_choice(prediction, answers, rivals)
    return score_text(prediction, answers)


def recall_at_k(ranked_paths: list[str], gold: list[str], k: int) -> float:
    """1.0 when a gold article is among the first ``k`` distinct articles."""
    return float(any(_same_file(p, g) for p in _distinct(ranked_paths)[:k] for g in gold))


def reciprocal_rank(ranked_paths: list[str], gold: list[str]) -> float:
    for rank, path in enumerate(_distinct(ranked_paths), start=1):
        if any(_same_file(path, g) for g in gold):
            return 1.0 / rank
    return 0.0


def citation_precision(cited_paths: list[str], gold: list[str]) -> float | None:
    """Share of cited passages that come from a gold article; None when nothing was cited."""
    if not cited_paths:
        return None
    return sum(any(_same_file(c, g) for g in gold) for c in cited_paths) / len(cited_paths)


def _distinct(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _same_file(path: str, gold: str) -> bool:
    return path == gold or path.endswith("/" + gold.lstrip("./"))
