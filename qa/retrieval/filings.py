"""Which articles a question can be about, judged by what each filing's cover says of itself: its company and the
period it covers (``qa.ingest.filings``).

In a store of many companies' reports, a statement page of one company's 10-K reads like any other's ("Total
current liabilities 5,466"): neither ranking can tell them apart, while the question names both the company and
the year ("Netflix's year end FY2017 total current liabilities"). A filing whose cover contradicts the question,
another company's or another year's, cannot hold its answer; every other article can (a news story, a page with
no cover, an earnings release whose cover states no period). So when the question names a company the store has
filings of, search ranks the articles it does not contradict on their own and puts them first: a strong
preference rather than a filter, which leaves a question that names no filer searched as before.
"""

from __future__ import annotations

import re

from ..ingest.filings import ANY_SUFFIX
from ..store.chunks import Described
from ..text.dates import MONTH, YEAR
from ..text.names import years

_ENDED = re.compile(rf"\b({MONTH})\s+\d{{1,2}},?\s+({YEAR})|\b\d{{1,2}}\s+({MONTH})\s+({YEAR})", re.I)


def open_to(catalog: dict[str, Described], question: str) -> tuple[str, ...]:
    """Paths of the articles the question's company and years do not contradict; empty when it names no filer of
    the store (then nothing is preferred)."""
    if not any(named(about.company, question) for about in catalog.values() if about.company):
        return ()
    wanted = years(question)
    return tuple(sorted(path for path, about in catalog.items() if not about.company or (
        named(about.company, question) and (not wanted or not about.period or fiscal_years(about.period) & wanted))))


def named(company: str, question: str) -> int:
    """How fully ``question`` names ``company``: the number of words of the longest leading part of its name
    that it contains ("Adobe" of "Adobe Systems Incorporated" is 1), or of all of them as initials ("AMD" for
    "Advanced Micro Devices, Inc."); 0 when it names none."""
    words = ANY_SUFFIX.sub(" ", re.sub(r"^\s*the\s+", "", company, flags=re.I)).replace(",", " ").split()
    words = [w for w in words if w not in {"&", "and"}] if len(words) > 1 else words
    for n in range(len(words), 0, -1):
        if re.search(rf"(?<!\w){re.escape(' '.join(words[:n]))}(?!\w)", question, re.I):
            return n
    initials = "".join(w[0] for w in words if w[0].isalpha())
    if len(words) > 1 and re.search(rf"\b{initials.upper()}\b", question):
        return len(words)
    return 0


def fiscal_years(period: str) -> set[str]:
    """The fiscal years a cover's period can be called by. A fiscal year is named by the calendar year it ends
    in, but a quarter ended in December 2022 may belong to fiscal 2023 (a year to June), and a year ended in
    January 2022 is often called fiscal 2021 (retailers)."""
    match = _ENDED.search(period)
    if not match:
        return years(period)
    month, year = (match[1], int(match[2])) if match[1] else (match[3], int(match[4]))
    called = {year}
    if "year" not in period.lower():
        called.add(year + 1)
    elif month[:3].lower() in ("jan", "feb", "mar"):
        called.add(year - 1)
    return {str(y) for y in called}
