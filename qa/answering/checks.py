"""The refusal signals read after retrieval: the model's first decision (``Decision``), and what a copied answer
must be to stand (``check_copy``): words of a sentence shown that add to the question, with the signs and scale
its source gives the figure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..retrieval.context import Context
from ..settings import AnswerSettings
from ..text.quantities import SCALE_NAMES, SCALE_WORD, quantities, stated_currency, stated_exponent
from ..text.words import content_words
from . import prompts
from .calculation import Calculation
from .records import Citation, Refusal


@dataclass(frozen=True)
class Decision:
    """The model's first decision, read from its next-token distribution: copy words of a sentence (``qa.llms.base.COPY``),
    ``prompts.NONE`` or ``prompts.CALCULATE``; with the probabilities the refusal thresholds read."""

    choice: str
    probability: float
    none: float

    @classmethod
    def read(cls, odds: dict[str, float], settings: AnswerSettings) -> "Decision":
        """The likeliest option; but calculating whenever it has ``min_calculate_probability`` and "none" is not
        ahead: a question that asks for a change or an average is answered wrongly by any figure copied."""
        choice = max(odds, key=odds.get)
        if choice != prompts.NONE and odds.get(prompts.CALCULATE, 0.0) >= settings.min_calculate_probability:
            choice = prompts.CALCULATE
        return cls(choice, odds[choice], odds.get(prompts.NONE, 0.0))

    def refusal(self, settings: AnswerSettings) -> tuple[Refusal, str] | None:
        """Refuse on "none" chosen, or on a copy with too much probability on "none" or none clearly ahead; a
        calculation is refused by its own step, where "none" is one of the choices."""
        if self.choice == prompts.NONE:
            return Refusal.SENTINEL, f"the model chose none of the sentences ({self.none:.2f})"
        if self.choice == prompts.CALCULATE:
            return None
        if self.none > settings.max_none_probability:
            return Refusal.UNSURE, f"the model gave {self.none:.2f} to none of the sentences answering"
        if self.probability < settings.min_choice_probability:
            return Refusal.UNSURE, f"no option clearly ahead: the best, {self.choice}, had {self.probability:.2f}"
        return None


def check_copy(span: str, question: str, context: Context) -> Checked:
    """A copied span stands when it is words of a sentence shown (by construction for a local model; checked
    for backends that only return text) and adds something the question does not already say. It cites the
    article of the first sentence that holds it."""
    span = span.strip().strip(",;:").strip()
    span = span[:-1] if span.endswith(".") and not re.search(r"\b[A-Z]\.$|\d\.$", span[-3:]) else span
    if not span:
        return Checked.refuse(Refusal.SENTINEL, "the model copied nothing")
    flat = lambda text: " ".join(text.split())  # noqa: E731
    held = next(((n, flat(sentence)) for n, sentence in context.sentences
                 if flat(span).lower() in flat(sentence).lower()), None)
    if held is None:
        return Checked.refuse(Refusal.UNSUPPORTED, f"not words of a sentence shown: {span!r}")
    n, sentence = held
    span = _with_signs(flat(span), sentence)
    if not content_words(span) - content_words(question) and not _ALTERNATIVES.search(question):
        return Checked.refuse(Refusal.RESTATED, f"the answer only restates the question: {span!r}")
    passage = context.shown[n - 1]
    return Checked(_with_scales(f"{span} [{n}]", [passage.searchable()]), [Citation(n, passage)])


_ALTERNATIVES = re.compile(r"\w,? or \w")  # "Meta or Amazon": naming one of the question's options answers it
_SIGN_BEFORE = re.compile(r"(?:US\$|HK\$|[$€£¥₹])$")


def _with_signs(span: str, sentence: str) -> str:
    """The span with the currency sign just before it and the percent sign just after it in its sentence: the
    model copies a figure digit by digit ("48.4 billion" of "$48.4 billion"), and its sign belongs to it."""
    at = sentence.lower().find(span.lower())
    sign = _SIGN_BEFORE.search(sentence[:at])
    start = sign.start() if sign else at
    end = at + len(span) + (sentence[at + len(span):at + len(span) + 1] == "%")
    return sentence[start:end]


@dataclass
class Checked:
    """What the checks made of a reply: the text to show and its citations and calculations, or a refusal."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    calculations: list[Calculation] = field(default_factory=list)
    refusal: tuple[Refusal, str] | None = None

    @classmethod
    def refuse(cls, signal: Refusal, reason: str) -> "Checked":
        return cls("", refusal=(signal, reason))


def _with_scales(text: str, sources: list[str]) -> str:
    """The answer with a scale word after each figure that a cited source states under a units line, and the
    line's currency when the figure has none: "4,512" copied from a row "in millions of euros" is 4,512 million
    euros."""
    stated = [(q, source) for source in sources for q in quantities(source) if q.exponent == 0]
    for q in reversed(quantities(text)):
        digits = [i for i, ch in enumerate(q.text) if ch.isdigit()]  # none in "two" or "a dozen"
        digits_end = q.start + digits[-1] + 1 if digits else q.end
        if not digits or q.exponent or q.kind() == "percent" or q.is_year() \
                or SCALE_WORD.match(text[digits_end:].lstrip()) or SCALE_WORD.match(text[q.end:].lstrip()):
            continue
        held = next(((s, source) for s, source in stated if abs(s.value) == abs(q.value) and s.unit in ("", q.unit)),
                    None)
        exponent = stated_exponent(*held) if held else 0
        if exponent in SCALE_NAMES:
            words = " ".join(filter(None, [SCALE_NAMES[exponent], "" if q.unit else stated_currency(*held)]))
            text = f"{text[:digits_end]} {words}{text[digits_end:]}"
    return text
