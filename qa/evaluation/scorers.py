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
from decimal import Decimal

from ..text.names import strip_citations
from ..answering.prompts import REFUSAL, declines
from ..text.quantities import Quantity, quantities, same


def answer_figure(prediction: str, like: Quantity, question: str = "", currency_blind: bool = False
                  ) -> Quantity | None:
    """The prediction's answer figure: the first of the gold's kind that is not a year or a question number.
    ``currency_blind`` compares kinds as percent or not, for golds that carry no currency (TAT-QA)."""
    asked = quantities(question)
    kind = (lambda q: q.kind() == "percent") if currency_blind else (lambda q: q.kind())
    for q in quantities(prediction):
        if q.is_year() or kind(q) != kind(like) or any(same(q, a) for a in asked):
            continue
        return q
    return None


def score_numeric(prediction: str, answers: list[str], question: str = "") -> bool:
    return any(same(gold, got) for gold, got in _figures(prediction, answers, question))


def score_figure(prediction: str, answers: list[str], question: str = "") -> bool:
    """TAT-QA's rule for figures: the answer's figure equals the gold rounded to two decimals in the gold's
    scale, so the scale and the sign must be right ("4,512" is not "4,512 million"); TAT-QA golds carry no
    currency, so none is compared."""
    return any(_two_places(got.amount.scaleb(-gold.exponent)) == _two_places(gold.value)
               for gold, got in _figures(prediction, answers, question, currency_blind=True))


def _figures(prediction: str, answers: list[str], question: str, currency_blind: bool = False):
    """(gold figure, the prediction's answer figure) for each gold answer that states a figure the prediction
    also gives one of."""
    for gold_text in answers:
        golds = [q for q in quantities(gold_text) if not q.is_year()]
        got = answer_figure(prediction, golds[0], question, currency_blind) if golds else None
        if got is not None:
            yield golds[0], got


def _two_places(value) -> object:
    return value.quantize(Decimal("0.01"))


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
    return answer.strip() == REFUSAL or declines(answer)


def score(kind: str, prediction: str, answers: list[str], refused: bool, question: str = "",
          rivals: list[str] | None = None, verdicts: dict[str, bool] | None = None) -> bool:
    """Correct or not. A refused answerable question is wrong; an unanswerable one is right only if refused.
    ``rivals`` are the losing options of a comparison question; ``verdicts`` the judged answers of a question
    that no rule can score (an answer not judged yet is wrong)."""
    if kind == "unanswerable":
        return refused
    if refused:
        return False
    if kind == "judged":
        return (verdicts or {}).get(judged_as(prediction), False)
    if kind == "numeric":
        return score_numeric(prediction, answers, question)
    if kind == "figure":
        return score_figure(prediction, answers, question)
    if kind == "list":
        return score_list(prediction, answers)
    if rivals:
        return score_choice(prediction, answers, rivals)
    return score_text(prediction, answers)


def judged_as(answer: str) -> str:
    """An answer as its judgement is filed: without citations or spacing, which vary between runs."""
    return " ".join(strip_citations(answer).split())


def recall_at_k(ranked_paths: list[str], gold: list[str], k: int) -> float:
    """1.0 when a gold article (or page, when the gold names pages) is among the first ``k`` distinct ones."""
    return float(any(_same_file(p, g) for p in _distinct(ranked_paths, gold)[:k] for g in gold))


def reciprocal_rank(ranked_paths: list[str], gold: list[str]) -> float:
    for rank, path in enumerate(_distinct(ranked_paths, gold), start=1):
        if any(_same_file(path, g) for g in gold):
            return 1.0 / rank
    return 0.0


def citation_precision(cited_paths: list[str], gold: list[str]) -> float | None:
    """Share of cited passages that come from a gold article; None when nothing was cited."""
    if not cited_paths:
        return None
    return sum(any(_same_file(c, g) for g in gold) for c in cited_paths) / len(cited_paths)


def _distinct(paths: list[str], gold: list[str]) -> list[str]:
    """Distinct files, or distinct pages ("10k.pdf#60") when a gold names a page."""
    by_page = any("#" in g for g in gold)
    return list(dict.fromkeys(p if by_page else p.split("#", 1)[0] for p in paths))


def _same_file(path: str, gold: str) -> bool:
    """``path`` is the gold file, or its page when the gold names one ("10k.pdf#60")."""
    if "#" not in gold:
        path = path.split("#", 1)[0]
    return path == gold or path.endswith("/" + gold.lstrip("./"))
