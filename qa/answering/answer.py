"""choose -> copy (or compute) -> check -> Answer.

The model chooses; qa copies and computes. Its first decision is read from its next-token distribution in the
forward pass that reads the prompt: copy words of one of the sentences shown, none, or a calculation
(``LLM.choose``). A copy is decoded under a constraint that allows only words of a sentence, so figures and names
come out as the source writes them, and the sentence that holds them is the one cited. A calculation goes to
the computing step, where the model names an operation and figures from typed lists (``qa.answering.figures``)
and qa does the arithmetic over the figures as their sources state them (``qa.answering.calculation``).

Choosing a sentence by its letter first, then copying from it, was measured and dropped: the 1.5B model
favoured the first letters (benchmarks/README.md).

Refusal is decided by signals that hold on articles and questions this team did not write, each calibrated on
one seed of external sets and reported on others (benchmarks/README.md):

- retrieval confidence: the best passage's cosine to the question;
- a name or year of the question that none of the articles read mentions, anywhere in them (not only in the
  sentences shown: an article names its subject in full once);
- the first decision: "none" chosen, or for a copy too much probability on "none" or no option clearly ahead;
- the answer side: a copy must add something the question does not already say; a calculation must name an
  operation and figures that were shown ("none" is one of its choices) whose units agree.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import Enum

from ..llms import LLM
from ..retrieval.context import Context
from ..retrieval.search import Passage
from ..settings import AnswerSettings
from ..text.dates import long_date
from ..text.words import content_words
from ..text.quantities import SCALE_NAMES, SCALE_WORD, quantities, stated_currency, stated_exponent
from . import calculation, figures, grounding, prompts
from .calculation import Calculation, CalculationError


class Refusal(str, Enum):
    """Why an answer was refused: the signal that decided it. Values are stable codes for JSON and the eval."""

    NO_PASSAGE = "no_passage"
    LOW_RELEVANCE = "low_relevance"
    UNCOVERED = "uncovered"  # a name or year of the question in none of the articles read
    SENTINEL = "sentinel"
    UNSURE = "unsure"
    UNSUPPORTED = "unsupported"
    CALCULATION = "calculation"  # a computed answer with an operand no source states, or units that disagree
    RESTATED = "restated"  # the copied answer adds nothing to what the question already says


@dataclass
class Citation:
    """A source behind an answer; ``n`` is the number the answer cites it by."""

    n: int
    title: str
    source: str
    date: str
    text: str
    path: str
    url: str = ""
    page: int | None = None  # 1-based page of a PDF

    @property
    def label(self) -> str:
        """How the source is named to a reader: "Alibaba Group annual report 2024, p. 37"."""
        return page_label(self.title, self.page)


def page_label(title: str, page: int | None) -> str:
    return f"{title}, p. {page}" if page else title


@dataclass
class Answer:
    """What ``QA.ask`` returns. ``refused`` is true whenever ``answer`` is the fixed refusal sentence; then
    ``refusal`` names the signal that decided it and ``refusal_reason`` says what it saw."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    model: str
    timings: dict[str, float]
    searched: str = ""
    refusal: Refusal | None = None
    refusal_reason: str = ""
    draft: str = ""  # the model's own reply before the checks, kept so a refusal can be understood
    prompt_tokens: int | None = None
    # what the refusal signals read: best passage cosine, the first decision's probabilities
    confidence: dict[str, float | None] = field(default_factory=dict)
    # the operations behind computed figures, each with its operands as cited and the result qa computed
    calculations: list[Calculation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list, repr=False)
    # how an answer was made: "copy" (words of a chosen sentence) or "compute" (an operation qa computed over
    # figures the model chose); empty for a refusal
    route: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("passages")
        data["refusal"] = self.refusal.value if self.refusal else None
        return data


@dataclass(frozen=True)
class Asked:
    """A question as the answer step sees it: what was asked, what was searched (a chat's standalone rewrite of
    a follow-up; the question itself otherwise), when it came (``time.perf_counter()``: every timing counts from
    it) and how long retrieval took."""

    question: str
    searched: str
    started: float
    retrieval_seconds: float = 0.0


def _chat(system: str, examples: list[tuple[str, str]], user: str) -> list[dict]:
    """A system message, worked exchanges (the prompt's fixed, cached opening), then the question."""
    shown = [{"role": role, "content": text} for pair in examples for role, text in zip(("user", "assistant"), pair)]
    return [{"role": "system", "content": system}, *shown, {"role": "user", "content": user}]


_CONTROL_TOKEN = re.compile(r"<\|[^|>]{1,40}\|>")


def _quote(text: str) -> str:
    """Keep a source from closing its own quotation or smuggling in chat-template tokens (<|im_start|>)."""
    return _CONTROL_TOKEN.sub(" ", text).replace("<<<", "« ").replace(">>>", " »")


def choosing_messages(question: str, context: Context) -> list[dict]:
    """The prompt of the first decision: the context's sentences, one a line, under their articles' headers.
    They are not lettered: given letters, the model answered with one (measured on SQuAD seed 1)."""
    lines, header = [], 0
    headers = _headers(context)
    for n, sentence in context.sentences:
        if n != header:
            lines.append(headers[n])
            header = n
        lines.append(f"- {_quote(sentence)}")
    return _chat(prompts.CHOOSE_SYSTEM, prompts.CHOOSE_EXAMPLES,
                 prompts.CHOOSE_USER.format(sources="\n".join(lines), question=question))


def _headers(context: Context) -> dict[int, str]:
    """Each shown passage's header line, by its number: "Article 1: title (date, source)"."""
    return {n: prompts.CHOOSE_ARTICLE.format(n=n, title=_quote(page_label(p.heading, p.page)), date=long_date(p.date),
                                             source=_quote(p.source or "unknown"))
            for n, p in enumerate(context.shown, start=1)}


def operating_messages(question: str, lines: list[str]) -> list[dict]:
    """The prompt of the computing step: the sentences with their figures marked, and the operations."""
    operations = "\n".join(f"- {o.name}: {o.description}" for o in figures.OPERATIONS.values())
    return _chat(prompts.OPERATE_SYSTEM.format(operations=operations, none=prompts.NONE), prompts.OPERATE_EXAMPLES,
                 prompts.OPERATE_USER.format(sources="\n".join(_quote(line) for line in lines), question=question))


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


def generate(asked: Asked, context: Context, llm: LLM, settings: AnswerSettings) -> Iterator[str | Answer]:
    """Stream answer text, then yield the final Answer, whose text is authoritative: it may be a refusal.

    The model's first decision is read from its distribution at the reply's first token: copy words of a
    sentence, none, or calculate (``LLM.choose``). A copy is decoded so that it can only be words of a sentence;
    a calculation goes to the computing step (``_operated``)."""
    question, searched, started = asked.question, asked.searched, asked.started
    timings = {"retrieval": round(asked.retrieval_seconds, 4)}
    best = max((p.similarity for p in context.shown), default=None)
    confidence: dict[str, float | None] = {"similarity": best, "none_probability": None, "choice_probability": None,
                                           "calculate_probability": None}

    def finish(checked: Checked, draft: str = "", tokens: int | None = None, route: str = "") -> Answer:
        timings["total"] = round(time.perf_counter() - started, 4)
        timings.setdefault("first_token", timings["total"])
        signal, reason = checked.refusal or (None, "")
        return Answer(question=question, answer=prompts.REFUSAL if signal else checked.text, refused=bool(signal),
                      citations=[] if signal else checked.citations, model=llm.name, timings=timings,
                      searched=searched, refusal=signal, refusal_reason=reason, prompt_tokens=tokens, draft=draft,
                      confidence=confidence, calculations=[] if signal else checked.calculations,
                      passages=context.shown, route="" if signal else route)

    if best is None or not context.sentences:
        yield finish(Checked.refuse(Refusal.NO_PASSAGE, "no passage matched"))
        return
    if best < settings.min_relevance:
        yield finish(Checked.refuse(Refusal.LOW_RELEVANCE, f"best passage cosine {best:.2f} is below "
                                                           f"{settings.min_relevance:.2f}"))
        return
    missing = grounding.uncovered_terms(searched, " ".join(a.searchable() for a in context.articles))
    if missing:
        yield finish(Checked.refuse(Refusal.UNCOVERED, f"the articles never mention {', '.join(missing)}"))
        return
    messages = choosing_messages(searched, context)
    sentences = [s for _, s in context.sentences]
    choice = llm.choose(messages, sentences, [prompts.NONE, prompts.CALCULATE], settings.max_tokens)
    decision = Decision.read(choice.odds, settings)
    timings["choice"] = round(time.perf_counter() - started, 4)
    confidence.update(none_probability=round(decision.none, 4), choice_probability=round(decision.probability, 4),
                      calculate_probability=round(choice.odds.get(prompts.CALCULATE, 0.0), 4))
    tokens = llm.count_tokens("".join(m["content"] for m in messages))
    refusal = decision.refusal(settings)
    if refusal:
        yield finish(Checked(text="", refusal=refusal), decision.choice, tokens)
        return
    if decision.choice == prompts.CALCULATE:
        yield finish(*_operated(asked.searched, context, llm, settings))
        return
    pieces: list[str] = []
    for piece in choice.pieces:
        timings.setdefault("first_token", round(time.perf_counter() - started, 4))
        pieces.append(piece)
        yield piece
    draft = "".join(pieces)
    yield finish(check_copy(draft, question, context), draft, tokens, "copy")


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
    return Checked(_with_scales(f"{span} [{n}]", [passage.searchable()]), [_citation(n, passage)])


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


def _operated(question: str, context: Context, llm: LLM, settings: AnswerSettings
              ) -> tuple[Checked, str, int | None, str]:
    """The computing step: the model names an operation and figures marked in the sentences shown
    (``qa.answering.figures``), and qa computes it over the figures as their sources state them. Returns what the
    checks made of it, the model's reply, the prompt's length and the route ("copy" for a figure as stated)."""
    shown = figures.marked(context, _headers(context))
    if len(shown.figures) < 2:
        return Checked.refuse(Refusal.CALCULATION, "fewer than two figures in the sentences shown"), "", None, ""
    messages = operating_messages(question, shown.lines)
    reply = llm.follow(messages, figures.grammar(shown.figures, figures.named(question, "\n".join(shown.lines))), max_tokens=48)
    tokens = llm.count_tokens("".join(m["content"] for m in messages))
    if figures.declines(reply):
        return Checked.refuse(Refusal.SENTINEL, "the model found no figures to compute it from"), reply, tokens, ""
    try:
        chosen = figures.read(reply, shown.figures)
        worked = calculation.over_figures(chosen.operation.name, chosen.operation.expression(len(chosen.figures)),
                                          [(f.quantity, f.sentence, f.passage) for f in chosen.figures],
                                          calculation.asked_places(question), calculation.asked_scale(question))
    except (figures.ChoiceError, CalculationError) as exc:
        return Checked.refuse(Refusal.CALCULATION, str(exc)), reply, tokens, ""
    cited = list(dict.fromkeys(f.passage for f in chosen.figures))
    marks = "".join(f"[{n}]" for n in cited)
    citations = [_citation(n, context.shown[n - 1]) for n in cited]
    if chosen.operation.name == "stated":  # the answer is a figure as a sentence states it: nothing to work out
        return Checked(f"{worked.result} {marks}", citations, [worked]), reply, tokens, "copy"
    text = f"{chosen.operation.name.capitalize()}: {worked.result} {marks}. Working: {worked.working}."
    return Checked(text, citations, [worked]), reply, tokens, "compute"


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


def _citation(n: int, p: Passage) -> Citation:
    return Citation(n=n, title=p.title, source=p.source, date=p.date, text=p.text, path=p.path, url=p.url,
                    page=p.page)
