"""What a filing says about itself: the company that files it and the period it covers.

A 100-page annual report names its company and fiscal year on the cover and then rarely again, so a statement
page deep inside reads like any other company's of any other year. Both facts are read once from the first
pages and travel with every passage (``Chunk.heading``), where search, the context step and the checks see
them as they see a title.
"""

from __future__ import annotations

import re

from ..text.dates import MONTH

_ENDED = re.compile(rf"\bfor\s+the\s+((?:fiscal\s+)?year|quarterly\s+period|quarter|(?:three|six|nine|twelve|3|6|9|12)"
                    rf"\s+months|half[-\s]year)\s+ended\s+({MONTH}\s+\d{{1,2}},?\s+(?:19|20)\d\d|\d{{1,2}}\s+{MONTH}"
                    rf"\s+(?:19|20)\d\d)", re.I)
_NAMED_YEAR = re.compile(r"\b(annual\s+report|interim\s+report|half[-\s]year\s+report|results\s+for)\s+((?:19|20)\d\d)\b",
                         re.I)
_REGISTRANT = re.compile(r"\(\s*exact\s+name\s+of\s+registrant", re.I)
_SUFFIX = re.compile(r"\b(?:Inc|Incorporated|Corp|Corporation|Company|plc|PLC|Ltd|Limited|Group|Holdings|N\.V|S\.A|"
                     r"AG|SE|LLC|L\.P|Co)\b\.?")
COVER_CHARS = 4000  # the cover and the first contents page


def fiscal_period(text: str) -> str:
    """"fiscal year ended September 24, 2022", "quarterly period ended June 30, 2023", "annual report 2024";
    empty when the opening of ``text`` states none. Only a cover's formulas count ("For the fiscal year ended",
    "Annual Report 2024"): prose that mentions "fiscal 2022" or a statement's "Years ended" column is no
    statement of what the whole document covers."""
    opening = " ".join(text[:COVER_CHARS].split())
    if match := _ENDED.search(opening):
        return f"{match[1].lower()} ended {match[2]}"
    if match := _NAMED_YEAR.search(opening):
        return f"{match[1].lower()} {match[2]}"
    return ""


def company(text: str) -> str:
    """The filer: the line above "(Exact name of registrant ...)" on a US cover, else the first short line of
    the opening that ends like a company name ("Harlow Foods plc"); empty when there is none."""
    lines = [line.strip() for line in text[:COVER_CHARS].split("\n") if line.strip()]
    for k, line in enumerate(lines):
        if _REGISTRANT.match(line) and k:
            return lines[k - 1].strip(" ,")
    return next((line.strip(" ,") for line in lines[:15] if len(line) <= 60 and _SUFFIX.search(line)
                 and _SUFFIX.search(line).end() >= len(line.rstrip(" ,")) - 1), "")
