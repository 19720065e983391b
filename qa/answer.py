"""prompt -> generate -> check -> Answer.

Refusal never asks the question's wording to reappear in the sources (a paraphrase is not a missing fact).
It is decided by signals that hold on articles and questions this team did not write, each measured on
external sets (benchmarks/README.md):

- retrieval confidence: the best passage's cosine to the question, below a threshold calibrated on SQuAD 2.0;
- the names and years the question asks about (not its other words, which paraphrase) missing from every
  source the model would read: on SQuAD 2.0 this refused a quarter of the unanswerable questions and none of
  the answerable ones;
- the model's own sentinel, and how strongly the model leaned towards it at its first token;
- the check of the answer against the sources it cites: each figure must be a figure of a cited source (in
  any common notation), and each name must occur in the cited articles or the question.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import Enum

from . import grounding, prompts
from .context import Context
from .llms import LLM
from .search import Passage, long_date

STOP = ["\n\n", "Question:"]


class Refusal(str, Enum):
    """Why an answer was refused: the signal that decided it. Values are stable codes for JSON and the eval."""

    NO_PASSAGE = "no_passage"
    LOW_RELEVANCE = "low_relevance"
    UNCOVERED = "uncovered"
    SENTINEL = "sentinel"
    UNSURE = "unsure"
    UNSUPPORTED = "unsupported"


@dataclass
class Citation:
    """A source behind an answer; ``n`` is the number the answer cites it by."""

    n: int
    title: str
    source: str
    date: str
    text: str
    path: str


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
    # what the refusal signals read: best passage cosine, probability of the sentinel at the first token
    confidence: dict[str, float | None] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("passages")
        data["refusal"] = self.refusal.value if self.refusal else None
        return data


@dataclass(frozen=True)
class Thresholds:
    """Where the confidence signals refuse; both calibrated on external sets (see ``Settings``)."""

    min_relevance: float
    max_sentinel_probability: float


def build_messages(question: str, passages: list[Passage]) -> list[dict]:
    sources = "\n\n".join(
        prompts.SOURCE_BLOCK.format(n=n, title=_quote(p.title), date=long_date(p.date),
                                    source=_quote(p.source or "unknown"), text=_quote(p.text))
        for n, p in enumerate(passages, start=1)
    )
    return [
        {"role": "system", "content": prompts.ANSWER_SYSTEM},
        {"role": "user", "content": prompts.EXAMPLE_USER},
        {"role": "assistant", "content": prompts.EXAMPLE_ANSWER},
        {"role": "user", "content": prompts.ANSWER_USER.format(sources=sources, question=question)},
    ]


_CONTROL_TOKEN = re.compile(r"<\|[^|>]{1,40}\|>")


def _quote(text: str) -> str:
    """Keep a source from closing its own quotation or smuggling in chat-template tokens (<|im_start|>)."""
    return _CONTROL_TOKEN.sub(" ", text).replace("<<<", "« ").replace(">>>", " »")


def generate(question: str, context: Context, llm: LLM, *, max_tokens: int, thresholds: Thresholds,
             started: float, retrieval_seconds: float, searched: str | None = None) -> Iterator[str | Answer]:
    """Stream answer text, then yield the final Answer, whose text is authoritative: it may be a refusal.
    ``started`` is when the question came (``time.perf_counter()``): every timing counts from it."""
    searched = searched or question
    timings = {"retrieval": round(retrieval_seconds, 4)}
    best = max((p.similarity for p in context.shown), default=None)
    confidence: dict[str, float | None] = {"similarity": best, "sentinel_probability": None}

    def finish(text: str, refusal: tuple[Refusal, str] | None, citations: list[Citation], draft: str = "",
               tokens: int | None = None) -> Answer:
        timings["total"] = round(time.perf_counter() - started, 4)
        timings.setdefault("first_token", timings["total"])
        signal, reason = refusal or (None, "")
        return Answer(question=question, answer=prompts.REFUSAL if signal else text, refused=bool(signal),
                      citations=[] if signal else citations, model=llm.name, timings=timings, searched=searched,
                      refusal=signal, refusal_reason=reason, prompt_tokens=tokens, draft=draft,
                      confidence=confidence, passages=context.shown)

    if best is None:
        yield finish("", (Refusal.NO_PASSAGE, "no passage matched"), [])
        return
    if best < thresholds.min_relevance:
        yield finish("", (Refusal.LOW_RELEVANCE, f"best passage cosine {best:.2f} is below "
                                                 f"{thresholds.min_relevance:.2f}"), [])
        return
    missing = grounding.uncovered_terms(searched, " ".join(p.searchable() for p in context.shown))
    if missing:
        yield finish("", (Refusal.UNCOVERED, f"the sources never mention {', '.join(missing)}"), [])
        return
    messages = build_messages(searched, context.shown)
    pieces: list[str] = []
    reply = llm.stream(messages, max_tokens=max_tokens, stop=STOP, probe=prompts.CANNOT_ANSWER)
    for piece in reply:
        if not pieces:
            timings["first_token"] = round(time.perf_counter() - started, 4)
        pieces.append(piece)
        yield piece
    tokens = llm.count_tokens("".join(m["content"] for m in messages))
    draft = "".join(pieces)
    confidence["sentinel_probability"] = leaning = llm.probed
    text, citations, refusal = check_answer(draft, searched, context)
    if not refusal and leaning is not None and leaning > thresholds.max_sentinel_probability:
        refusal = (Refusal.UNSURE, f"the model gave {leaning:.2f} to answering {prompts.CANNOT_ANSWER}")
    yield finish(text, refusal, citations, draft, tokens)


def check_answer(raw: str, question: str, context: Context) -> tuple[str, list[Citation], tuple[Refusal, str] | None]:
    """(answer text with citations, citations, refusal or None): the sentinel and the sources decide.

    Figures must be figures of the cited sources (of any source, re-cited, when the model cited the wrong
    number); names may come from anywhere in the cited articles, since an article names its company once and
    then writes "the company", or from the question.
    """
    text = _tidy(raw)
    if prompts.declines(grounding.strip_citations(text)):
        return "", [], (Refusal.SENTINEL, "the model said the sources do not answer")
    shown = context.shown
    evidence = {n: p.searchable() for n, p in enumerate(shown, start=1)}
    cited = [n for n in dict.fromkeys(grounding.cited_numbers(text)) if n in evidence]
    missing = grounding.unsupported_figures(text, " ".join(evidence[n] for n in cited), question)
    if missing or not cited:  # no citation, or the right figure under the wrong number: find the sources
        holding = _sources_holding(text, evidence)
        missing = grounding.unsupported_figures(text, " ".join(evidence[n] for n in holding), question)
        if not missing:
            cited = holding
            text = f"{grounding.strip_citations(text).rstrip()} " + "".join(f"[{n}]" for n in cited)
    articles = " ".join(p.searchable() for p in context.articles + shown)
    missing += grounding.unsupported_names(text, articles, question)
    if missing:
        return "", [], (Refusal.UNSUPPORTED, f"not in the sources: {', '.join(missing)}")
    return text.strip(), [_citation(n, shown[n - 1]) for n in cited], None


def _sources_holding(text: str, evidence: dict[int, str]) -> list[int]:
    """The fewest sources, best-ranked first, that together hold the answer's figures (or its names when it has
    none); the first source when nothing tells."""
    wanted = [q for q in grounding.quantities(text) if not q.is_year()]
    if wanted:
        stated = {n: grounding.quantities(ev) for n, ev in evidence.items()}  # each source parsed once
        held = {n: {i for i, q in enumerate(wanted) if any(grounding.same(q, h) for h in stated[n])}
                for n in evidence}
        chosen, covered = [], set()
        for n in sorted(held, key=lambda n: -len(held[n])):
            if held[n] - covered:
                chosen.append(n)
                covered |= held[n]
        return sorted(chosen) or [1]
    names = grounding.names(text)
    hits = [n for n, ev in evidence.items() if names and all(m.lower() in ev.lower() for m in names)]
    return hits[:1] or [1]


def _tidy(raw: str) -> str:
    text = raw.strip().strip('"').strip()
    text = re.sub(r"^(answer|response)\s*:\s*", "", text, flags=re.I)
    return re.sub(r"\s+", " ", text)


def _citation(n: int, p: Passage) -> Citation:
    return Citation(n=n, title=p.title, source=p.source, date=p.date, text=p.text, path=p.path)
