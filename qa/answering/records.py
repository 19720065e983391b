"""What an answer is made of, as callers see it: the ``Answer`` with its ``Citation``s and the ``Refusal`` signal
that refused it, and the question as the answer step is handed it (``Asked``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from ..retrieval.search import Passage
from .calculation import Calculation


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
    """A source behind an answer: the passage shown, and ``n``, the number the answer cites it by."""

    n: int
    passage: Passage

    title = property(lambda self: self.passage.title)
    source = property(lambda self: self.passage.source)
    date = property(lambda self: self.passage.date)
    text = property(lambda self: self.passage.text)
    path = property(lambda self: self.passage.path)
    url = property(lambda self: self.passage.url)
    page = property(lambda self: self.passage.page)  # 1-based page of a PDF

    @property
    def label(self) -> str:
        """How the source is named to a reader: "Alibaba Group annual report 2024, p. 37"."""
        return page_label(self.title, self.page)

    def to_dict(self) -> dict:
        return {"n": self.n, "title": self.title, "source": self.source, "date": self.date, "text": self.text,
                "path": self.path, "url": self.url, "page": self.page}


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
        data["citations"] = [c.to_dict() for c in self.citations]
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
