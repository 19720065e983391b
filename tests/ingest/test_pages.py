"""A document given as one text file per page is read as pages of one document."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import QA
from qa.ingest.pages import page_files


@pytest.mark.unit
@pytest.mark.parametrize("names, paged", [
    (["acme-10k-2022-page-001.txt", "acme-10k-2022-page-002.txt", "acme-10k-2022-page-003.txt"], True),
    (["p0.txt", "p1.txt", "p2.txt", "p3.txt"], True),
    (["report_12.txt", "report_1.txt", "report_2.txt", "report_3.txt", "report_5.txt"], False),  # gaps: 5 of 12
    (["acme-2022.txt", "acme-2023.txt", "acme-2024.txt"], False),  # years, not pages
    (["a-page-1.txt", "a-page-2.txt"], False),  # too few to tell
    (["a-page-1.md", "a-page-2.md", "a-page-3.md"], False),  # articles of their own
    (["2024-11-13-q3-1.txt", "2025-02-20-q4-2.txt", "2025-05-15-q1-3.txt"], False),  # differ in more than one number
])
def test_which_files_are_pages(names, paged, tmp_path):
    files = [tmp_path / name for name in names]
    assert bool(page_files(files)) == paged


@pytest.mark.unit
def test_pages_numbered_from_zero_are_cited_from_one(tmp_path):
    places = page_files([tmp_path / f"doc-{n}.txt" for n in range(3)])
    assert sorted(p.number for p in places.values()) == [1, 2, 3]
    assert {p.cover for p in places.values()} == {(tmp_path / "doc-0.txt", tmp_path / "doc-1.txt")}


def write_filing(folder: Path, company: str, year: int, revenue: str, pages: int = 8) -> None:
    cover = (f"UNITED STATES SECURITIES AND EXCHANGE COMMISSION\nFORM 10-K\nFor the fiscal year ended "
             f"December 31, {year}\n{company}\n(Exact name of registrant as specified in its charter)\n")
    texts = [cover] + [f"Management's discussion. Total revenue grew in fiscal {year} as customers bought more, "
                       f"and total revenue is discussed at length on this page about revenue." for _ in range(pages - 2)]
    statement = ("Consolidated Statements of Operations\n(In millions)\n"
                 f"{year} {year - 1}\nTotal revenue 1,{revenue} 900\nCost of revenue 600 550\n"
                 "Operating income 300 250\nNet income 210 180\n")
    texts.insert(5, statement)
    for number, text in enumerate(texts, 1):
        (folder / f"{company.split()[0].lower()}-{year}-page-{number:03d}.txt").write_text(text)


def test_a_page_split_filing_is_searched_by_company_year_and_statement_page(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for company, year, revenue in [("Harrow Tools Inc.", 2022, "020"), ("Harrow Tools Inc.", 2023, "110"),
                                   ("Quill Motors Corp.", 2022, "555")]:
        write_filing(folder, company, year, revenue)
    qa = QA.build([folder], index=tmp_path / "index")
    top = qa.search("What was Harrow Tools' total revenue in fiscal 2022?", k=5)[0]
    assert (top.company, top.page) == ("Harrow Tools Inc.", 6)
    assert "2022" in top.period and "1,020" in top.text
    assert top.title == "harrow 2022"
