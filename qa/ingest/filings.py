"""What a filing says about itself: the company that files it and the period it covers.

A 100-page annual report names its company and fiscal year on the cover and then rarely again, so a statement
page deep inside reads like any other company's of any other year. Both facts are read once from the first
pages and travel with every passage (``Chunk.heading``), where search, the context step and the checks see
them as they see a title.
"""

from __future__ import annotations

import re

from ..text.dates import MONTH, YEAR

_DATE = rf"(?:{MONTH}\s+\d{{1,2}},?\s+{YEAR}|\d{{1,2}}\s+{MONTH}\s+{YEAR})"
# a two-column cover interleaves its columns: "For the quarterly period ended Commission file June 30, 2022 number"
_ENDED = re.compile(rf"\bfor\s+the\s+((?:fiscal\s+)?year|quarterly\s+period|quarter|(?:three|six|nine|twelve|3|6|9|12)"
                    rf"\s+months|half[-\s]year)\s+ended\s+(?:(?!{MONTH}\s)[A-Za-z]+\s+){{0,3}}?({_DATE})", re.I)
_NAMED_YEAR = re.compile(rf"\b(annual\s+report|interim\s+report|half[-\s]year\s+report|results\s+for)\s+({YEAR})\b",
                         re.I)
_REGISTRANT = re.compile(r"\(\s*exact\s+name\s+of\s+registrant", re.I)
_FILE_NUMBER = re.compile(r"\b(?:number|no\.?)\s*:?\s*\d[\d-]*|_{2,}|\)", re.I)  # what precedes the filer's name
LEGAL_SUFFIX = re.compile(r"\b(?:Inc|Incorporated|Corp|Corporation|Company|plc|PLC|Ltd|Limited|Group|Holdings|N\.V|S\.A|"
                     r"AG|SE|LLC|L\.P|Co)\b\.?")
ANY_SUFFIX = re.compile(LEGAL_SUFFIX.pattern, re.I)  # covers write "INC." as often as "Inc."
_NUMBERED_NAME = re.compile(rf"\bfile\s+(?:number|no\.?)\s*:?\s*\d[\d-]*\s+(?P<name>(?:[\w.&,'-]+\s+){{0,5}}?[\w.&,'-]*?"
                            rf"(?:{LEGAL_SUFFIX.pattern}))", re.I)
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
    """The filer: the name just before "(Exact name of registrant ...)" on a US cover, or the name ending like a
    company's just after its "Commission file number" ("1-3285 3M COMPANY"); else the first short line of the
    opening that ends like a company name ("Harlow Foods plc"); empty when there is none."""
    opening = text[:COVER_CHARS]
    if registrant := _REGISTRANT.search(opening):
        name = ""
        for line in reversed([line for line in opening[:registrant.start()].split("\n") if line.strip()][-3:]):
            name = " ".join(_FILE_NUMBER.split(line)[-1].split() + name.split()).strip(" ,_")
            if re.search(r"[A-Za-z]", ANY_SUFFIX.sub("", name)):
                break  # a cover set one word per line ("SQUARE," / "INC."): a suffix alone takes the line above
        return name if len(name) <= 80 else ""
    if numbered := _NUMBERED_NAME.search(" ".join(opening.split())):
        return numbered["name"]
    lines = [line.strip() for line in opening.split("\n") if line.strip()]
    return next((line.strip(" ,") for line in lines[:15] if len(line) <= 60 and LEGAL_SUFFIX.search(line)
                 and LEGAL_SUFFIX.search(line).end() >= len(line.rstrip(" ,")) - 1), "")
