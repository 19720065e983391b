"""Dates as articles and questions write them, and the one string that search and checks read a passage as."""

from __future__ import annotations

import re
from datetime import date

# A month name, whole or cut short ("Dec.", "December"); for patterns compiled with re.IGNORECASE.
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# A year of the last two centuries, the only years articles, filings and questions name ("2024", not "1066").
YEAR = r"(?:19|20)\d\d"


def long_date(iso_date: str) -> str:
    """'2025-03-14' as 'March 14, 2025', the way articles and questions write dates; other text unchanged."""
    try:
        day = date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day:%B} {day.day}, {day.year}"


def searchable(title: str, iso_date: str, text: str) -> str:
    """Title, dateline and text in one string, the date in both forms so that a question's month and year
    can match the dateline."""
    return f"{title} {iso_date} {long_date(iso_date)} {text}"


_FILTER_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def check_filter_date(value: str, name: str) -> str:
    """A date a filter may hold: YYYY-MM-DD, or a month (YYYY-MM) or year (YYYY) for a whole period; anything else,
    such as 'notadate' or '2025-02-30', raises ValueError with one line naming ``name``."""
    match = _FILTER_DATE.fullmatch(value.strip())
    if match:
        year, month, day = match.groups()
        try:
            date(int(year), int(month or 1), int(day or 1))
            return value.strip()
        except ValueError:
            pass
    raise ValueError(f"bad date for {name}: {value!r} (write YYYY-MM-DD, or YYYY-MM or YYYY for a whole month or "
                     "year)")
