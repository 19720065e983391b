"""Which passages a search may return: one typed description of the filters, which each store translates into its
own engine's terms (the FAISS store into SQL, ``qa.store.chunks``; the Milvus store into a boolean expression,
``qa.store.milvus``)."""

from __future__ import annotations

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

