"""retrieve -> prompt -> generate -> ground -> Answer.

Refusal is decided from four signals, cheapest first, so that an unsupported question usually costs no
generation at all: retrieval confidence, question coverage (names and years the question asks about must
appear in the sources), the model's own sentinel, and grounding (every figure and name in the answer must
appear in a source).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from . import grounding, prompts
from .context import Context, sentences
from .llms import LLM
from .search import Passage, long_date, searchable


STOP = ["\n\n", "Question:"]
SENTINEL_REASON = "the model said the sources do not answer"


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
    """What ``QA.ask`` returns. ``refused`` is true whenever ``answer`` is the fixed refusal sentence."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    model: str
    timings: dict[str, float]
    searched: str = ""
    refusal_reason: str = ""
    draft: str = ""  # the model's own reply before the checks, kept so a refusal can be understood
    prompt_tokens: int | None = None
    passages: list[Passage] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("passages")
        return data


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


def generate(question: str, context: Context, llm: LLM, *, max_tokens: int, min_relevance: float,
             started: float, retrieval_seconds: float, searched: str | None = None) -> Iterator[str | Answer]:
    """Stream answer text, then yield the final Answer, whose text is authoritative: it may be a refusal,
    or a second attempt from the single best sentence when the first reply failed its checks.
    ``started`` is when the question came (``time.perf_counter()``): every timing counts from it."""
    searched = searched or question
    timings = {"retrieval": round(retrieval_seconds, 4)}

    def finish(text: str, reason: str, citations: list[Citation], passages: list[Passage], draft: str = "",
               tokens: int | None = None) -> Answer:
        timings["total"] = round(time.perf_counter() - started, 4)
        timings.setdefault("first_token", timings["total"])
        return Answer(question=question, answer=prompts.REFUSAL if reason else text, refused=bool(reason),
                      citations=[] if reason else citations, model=llm.name, timings=timings, searched=searched,
                      refusal_reason=reason, prompt_tokens=tokens, draft=draft, passages=passages)

    reason = _pre_generation_refusal(searched, context.articles or context.shown, min_relevance)
    if reason:
        yield finish("", reason, [], context.shown)
        return
    messages = build_messages(searched, context.shown)
    pieces: list[str] = []
    for piece in llm.stream(messages, max_tokens=max_tokens, stop=STOP):
        if not pieces:
            timings["first_token"] = round(time.perf_counter() - started, 4)
        pieces.append(piece)
        yield piece
    tokens = llm.count_tokens("".join(m["content"] for m in messages))
    draft = "".join(pieces)
    text, citations, reason = check_answer(draft, searched, context.shown)
    passages = context.shown
    if reason and reason != SENTINEL_REASON and context.narrow != context.shown:
        retry = llm.complete(build_messages(searched, context.narrow), max_tokens=max_tokens, stop=STOP)
        second = check_answer(retry, searched, context.narrow)
        if not second[2]:
            (text, citations, reason), passages, draft = second, context.narrow, retry
    yield finish(text, reason, citations, passages, draft, tokens)


def _pre_generation_refusal(question: str, passages: list[Passage], min_relevance: float) -> str:
    if not passages:
        return "no passage matched"
    best = max(p.similarity for p in passages)
    if best < min_relevance:
        return f"best passage similarity {best:.2f} is below {min_relevance:.2f}"
    context = " ".join(p.searchable() for p in passages)
    missing = grounding.uncovered_terms(question, context) or grounding.uncovered_topics(question, context)
    if missing:
        return f"the sources never mention {', '.join(missing)}"
    return ""


def check_answer(raw: str, question: str, passages: list[Passage]) -> tuple[str, list[Citation], str]:
    """Return (answer text, citations, refusal reason or ''): the sentinel and grounding decide."""
    text = _tidy(raw)
    if not grounding.strip_citations(text).strip() or prompts.CANNOT_ANSWER.lower() in text.lower():
        return "", [], SENTINEL_REASON
    evidence = {n: p.searchable() for n, p in enumerate(passages, start=1)}
    cited = [n for n in grounding.cited_numbers(text) if n in evidence]
    support = " ".join(evidence[n] for n in cited) if cited else " ".join(evidence.values())
    missing = grounding.unsupported(text, support, question)
    if missing and cited:  # the right figure under the wrong number: re-check against every source
        cited, missing = [], grounding.unsupported(text, " ".join(evidence.values()), question)
    if missing:
        return "", [], f"not in the sources: {', '.join(missing)}"
    lacking = grounding.missing_answer_type(question, text)
    if lacking:
        return "", [], lacking
    shown = [(s, searchable(p.title, p.date, "")) for p in passages for s in [p.title, *sentences(p.text)]]
    stray = grounding.figure_in_context(text, question, shown)
    if stray:
        return "", [], f"{', '.join(stray)} is not about {', '.join(sorted(grounding.names(question)))}"
    if not cited:
        cited = _sources_holding(text, evidence)
        text = f"{grounding.strip_citations(text).rstrip()} " + "".join(f"[{n}]" for n in cited)
    citations = [_citation(n, passages[n - 1]) for n in dict.fromkeys(cited)]
    return text.strip(), citations, ""


def _sources_holding(text: str, evidence: dict[int, str]) -> list[int]:
    """The sources that contain the answer's figures (or, failing that, its names); the first one if none."""
    wanted = grounding.quantities(text)
    hits = [n for n, ev in evidence.items()
            if wanted and all(any(grounding.same_quantity(q, h) for h in grounding.quantities(ev)) for q in wanted)]
    if not hits:
        names = grounding.names(text)
        hits = [n for n, ev in evidence.items() if names and all(m.lower() in ev.lower() for m in names)]
    return hits[:1] or [1]


def _tidy(raw: str) -> str:
    text = raw.strip().strip('"').strip()
    text = re.sub(r"^(answer|response)\s*:\s*", "", text, flags=re.I)
    return re.sub(r"\s+", " ", text)


def _citation(n: int, p: Passage) -> Citation:
    return Citation(n=n, title=p.title, source=p.source, date=p.date, text=p.text, path=p.path)
