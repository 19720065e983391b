"""A filing's filer and period, read from its cover and carried by every passage (covers written for these tests)."""

import pytest

from qa.ingest.filings import company, fiscal_period
from qa.store.index import Chunk

pytestmark = pytest.mark.unit

US_COVER = """UNITED STATES SECURITIES AND EXCHANGE COMMISSION
FORM 10-K
ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934
For the fiscal year ended January 31, 2023
Commission File Number 001-00001
Brightwater Tools, Inc.
(Exact name of registrant as specified in its charter)
Delaware 12-3456789"""


@pytest.mark.parametrize("text, filer, period", [
    (US_COVER, "Brightwater Tools, Inc.", "fiscal year ended January 31, 2023"),
    ("FORM 10-Q\nFor the quarterly period ended June 30, 2024\nOrchard Lane Corp.\n(Exact name of registrant)",
     "Orchard Lane Corp.", "quarterly period ended June 30, 2024"),
    ("Harlow Foods plc\nAnnual Report 2024\nOur year in brief", "Harlow Foods plc", "annual report 2024"),
    ("Kestrel Mining Group\nInterim results for the six months ended 30 June 2024", "Kestrel Mining Group",
     "six months ended 30 June 2024"),
    # the layouts of real covers: a name after the file number with no "Exact name" line, one word per line,
    # rules of underscores, and two columns interleaved
    ("For the fiscal year ended December 31, 2018 Commission file number 1-3285 4K COMPANY State of Incorporation: "
     "Delaware", "4K COMPANY", "fiscal year ended December 31, 2018"),
    ("For\nthe\nfiscal\nyear\nended\nDecember\n31,\n2016\nCommission File Number 001-37622\nSQUARELY,\nINC.\n"
     "(Exact name of registrant as specified in its charter)", "SQUARELY, INC.", "fiscal year ended December 31, 2016"),
    ("Commission File Number: 001-35727\n______________ Reelflix, Inc.\n(Exact name of Registrant as specified)", "Reelflix, Inc.",
     ""),
    ("For the quarterly period ended Commission file\nJune 30, 2022 number 1-5805\nOakbridge Chase & Co.\n"
     "(Exact name of registrant as specified in its charter)", "Oakbridge Chase & Co.",
     "quarterly period ended June 30, 2022"),
    ("Our revenue grew 8% in fiscal 2022.\nYears ended December 31, 2022 2021\nTotal revenue 1,020 980", "", ""),
    ("Stocks rose on Tuesday as traders weighed the Fed's next move.\nOil fell 2%.", "", ""),
])
def test_cover_names_the_filer_and_the_period(text, filer, period):
    assert (company(text), fiscal_period(text)) == (filer, period)


def test_a_heading_adds_only_what_the_title_does_not_say():
    chunk = Chunk(path="a.pdf", title="Form 10-K", date="", source="", url="", text="Net sales 1,000", ordinal=0,
                  company="Brightwater Tools, Inc.", period="fiscal year ended January 31, 2023")
    assert chunk.heading == "Form 10-K (Brightwater Tools, Inc., fiscal year ended January 31, 2023)"
    chunk.title = "Brightwater Tools, Inc. annual report"
    assert chunk.heading == "Brightwater Tools, Inc. annual report (fiscal year ended January 31, 2023)"
    assert "Brightwater" in chunk.searchable()
