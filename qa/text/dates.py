"""Dates as articles and questions write them, and the one string that search and checks read a passage as."""

from __future__ import annotations

from datetime import date

# A month name, whole or cut short ("Dec.", "December"); for patterns compiled with re.IGNORECASE.
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"


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
