"""Which passages a search may return, and the fusion of rankings: what every store answers alike, each in its own
engine (the FAISS store in SQL and numpy, the Milvus store inside Milvus)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import InputError
from ..text.dates import check_filter_date


@dataclass(frozen=True)
class Filters:
    """Restrict search to some articles. Dates are ISO strings (YYYY-MM-DD), both ends inclusive; ``date_to`` may be
    a prefix ("2024-12" takes all of December). Source is compared whole, title and company as parts; all without
    regard to case."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    title: str | None = None
    company: str | None = None  # part of a filing's filer name, as read from its cover
    paths: tuple[str, ...] = ()  # only these articles (search's preference for the filings a question names)

    def __post_init__(self):
        """A date that is no date ('notadate', '2025-02-30') is the user's mistake, not an empty result."""
        for name, value in (("since", self.date_from), ("until", self.date_to)):
            if value:
                try:
                    object.__setattr__(self, f"date_{'from' if name == 'since' else 'to'}",
                                       check_filter_date(value, name))
                except ValueError as exc:
                    raise InputError(str(exc)) from None

    def __bool__(self) -> bool:
        return any((self.source, self.date_from, self.date_to, self.title, self.company, self.paths))

    def expression(self) -> str:
        """The filters as a Milvus boolean expression over the store's case-folded ``*_key`` fields."""
        terms = []
        if self.paths:
            terms.append(f"path in [{', '.join(map(_literal, self.paths))}]")
        if self.source:
            terms.append(f"source_key == {_literal(self.source.casefold())}")
        if self.date_from:
            terms.append(f'date != "" and date >= {_literal(self.date_from)}')
        if self.date_to:  # every date that starts with date_to sorts below date_to with its last letter raised
            terms.append(f'date != "" and date < {_literal(self.date_to[:-1] + chr(ord(self.date_to[-1]) + 1))}')
        for field, value in (("title_key", self.title), ("company_key", self.company)):
            if value:
                terms.append(f"{field} like {_literal('%' + _like_escaped(value.casefold()) + '%')}")
        return " and ".join(f"({t})" for t in terms)


def fuse(rankings: list[list[int]], rrf_k: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each ranking adds 1 / (rrf_k + rank) to an item; best total first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
