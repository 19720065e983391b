"""Which filings a question names: its company (in full, by a leading part of the name, or by initials) and its
fiscal years, against each filing's cover; and how their passages go first."""

import pytest

from qa.retrieval.filings import fiscal_years, named, open_to
from qa.retrieval.search import Scored, prefer_filings
from qa.store.chunks import Described

pytestmark = pytest.mark.unit

CATALOG = {
    "adbe-2016.pdf": Described("Form 10-K", "Adobe Systems Incorporated", "fiscal year ended December 2, 2016"),
    "adbe-2017.pdf": Described("Form 10-K", "Adobe Systems Incorporated", "fiscal year ended December 1, 2017"),
    "amd-2022.pdf": Described("Form 10-K", "ADVANCED MICRO DEVICES, INC.", "fiscal year ended December 31, 2022"),
    "awk-2021.pdf": Described("10-K", "American Water Works Company, Inc.", "fiscal year ended December 31, 2021"),
    "news.md": Described("Adobe shares rise", "", ""),
}


@pytest.mark.parametrize("company, question, strength", [
    ("3M COMPANY", "What is the FY2018 capital expenditure for 3M?", 1),
    ("Adobe Systems Incorporated", "What is Adobe's operating cash flow ratio?", 1),
    ("ADVANCED MICRO DEVICES, INC.", "Which segment grew most for AMD in FY22?", 3),
    ("The Kraft Heinz Company", "What is Kraft Heinz's inventory turnover?", 2),
    ("MGM Resorts International", "MGM Resorts capex as a % of revenue", 2),
    ("Adobe Systems Incorporated", "What did Alphabet earn?", 0),
    ("ADVANCED MICRO DEVICES, INC.", "Is amd in it?", 0),  # initials only as written in capitals
])
def test_how_fully_a_question_names_a_company(company, question, strength):
    assert named(company, question) == strength


def test_filings_of_other_companies_and_years_are_closed_and_articles_without_a_cover_stay_open():
    assert open_to(CATALOG, "What was Adobe's FY2017 operating income?") == ("adbe-2017.pdf", "news.md")
    assert open_to(CATALOG, "Adobe's change from FY2016 to FY2017?") == ("adbe-2016.pdf", "adbe-2017.pdf", "news.md")
    assert open_to(CATALOG, "What drove Adobe's revenue?") == ("adbe-2016.pdf", "adbe-2017.pdf", "news.md")
    assert open_to(CATALOG, "AMD's free cash flow in FY22?") == ("amd-2022.pdf", "news.md")
    assert open_to(CATALOG, "What was Tencent's revenue in 2024?") == ()  # no filer of the store: no preference


@pytest.mark.parametrize("period, called", [
    ("fiscal year ended December 31, 2022", {"2022"}),
    ("fiscal year ended June 30, 2023", {"2023"}),
    ("fiscal year ended January 29, 2022", {"2021", "2022"}),  # a retailer's fiscal 2021
    ("quarterly period ended December 31, 2022", {"2022", "2023"}),  # Q2 of a fiscal year to June 2023
    ("six months ended 30 June 2024", {"2024", "2025"}),
    ("annual report 2024", {"2024"}),
])
def test_the_fiscal_years_a_period_can_be_called_by(period, called):
    assert fiscal_years(period) == called


def test_the_named_filings_go_first_and_each_passage_once():
    scored = lambda pairs: [Scored(i, score, None) for i, score in pairs]  # noqa: E731 (no chunk is read)
    within, ranked = scored([(7, 0.03), (9, 0.02)]), scored([(1, 0.033), (9, 0.031), (4, 0.02)])
    assert [(s.chunk_id, s.score) for s in prefer_filings(within, ranked, 0.05)] == [
        (7, pytest.approx(0.08)), (9, pytest.approx(0.07)), (1, 0.033), (4, 0.02)]
