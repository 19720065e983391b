"""PDF filings: text page by page, pages cited, scanned pages and broken files reported in one line.
The PDFs are drawn here with reportlab from sentences written for these tests."""

import json
from pathlib import Path

import pytest

from conftest import run_qa
from qa.ingest.chunking import Chunking, split_article
from qa.ingest.documents import SkipFile, parse

PAGES = [
    "Harlow Foods annual report 2024. Chair's letter. We opened nine stores this year.",
    "",  # a scanned page: an image, no text layer
    "Harlow Foods revenue for 2024 was 812.4 million pounds, up from 776.0 million pounds in 2023.",
]


def make_pdf(path: Path, pages: list[str], title: str = "Harlow Foods annual report 2024",
             owner_password: str | None = None) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    encrypt = StandardEncryption("", ownerPassword=owner_password) if owner_password else None
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    pdf.setTitle(title)
    for text in pages:
        if text:
            pdf.drawString(72, 760, text)
        else:
            pdf.rect(72, 400, 300, 300, fill=1)  # a picture of a page
        pdf.showPage()
    pdf.save()
    return path


class WordCounter:
    """Sizes chunks in words instead of the embedder's word pieces: chunking logic only."""

    def count_tokens(self, text: str) -> list[str]:  # the splitter counts the pieces it is given
        return text.split()


@pytest.mark.unit
def test_pages_keep_their_numbers_and_a_scanned_page_is_reported(tmp_path):
    path = make_pdf(tmp_path / "report.pdf", PAGES)
    article = parse(path, path.read_bytes())
    assert [n for n, _ in article.pages] == [1, 3]
    assert "812.4 million pounds" in dict(article.pages)[3]
    assert article.title == "Harlow Foods annual report 2024"
    assert article.warnings == [f"{path}: no text layer on page 2 (scanned?); skipped"]
    chunks = split_article(article, WordCounter(), Chunking(size=180, overlap=30))
    assert [(c.page, "812.4" in c.text) for c in chunks] == [(1, False), (3, True)]


@pytest.mark.unit
def test_a_pdf_encrypted_without_a_user_password_is_read(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", PAGES[2:], owner_password="owner-only")
    assert "812.4" in parse(path, path.read_bytes()).text


@pytest.mark.unit
@pytest.mark.parametrize("damage", [lambda data: data[: len(data) // 3], lambda data: b"%PDF-1.7\nnot a pdf"])
def test_a_broken_pdf_is_skipped_with_a_reason(tmp_path, damage):
    good = make_pdf(tmp_path / "good.pdf", PAGES)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(damage(good.read_bytes()))
    with pytest.raises(SkipFile, match="not a readable PDF"):
        parse(broken, broken.read_bytes())


def test_ingest_a_folder_with_pdfs_and_cite_the_page(tmp_path):
    folder = tmp_path / "filings"
    folder.mkdir()
    make_pdf(folder / "harlow-2024.pdf", PAGES)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\ntruncated")
    index = tmp_path / "index"
    ingested = run_qa("ingest", str(folder), "--index", str(index))
    assert ingested.returncode == 0, ingested.stderr
    warnings = [line for line in ingested.stderr.splitlines() if line.startswith("warning:")]
    assert any("broken.pdf" in w and "not a readable PDF" in w for w in warnings)
    assert any("no text layer on page 2" in w for w in warnings)
    assert "1 added" in ingested.stdout and "1 skipped" in ingested.stdout
    found = run_qa("search", "Harlow Foods revenue 2024", "--index", str(index), "--json", "-k", "1")
    (top,) = json.loads(found.stdout)
    assert top["page"] == 3 and "812.4 million pounds" in top["text"]
    shown = run_qa("search", "Harlow Foods revenue 2024", "--index", str(index), "-k", "1")
    assert "Harlow Foods annual report 2024, p. 3" in shown.stdout


def draw_statement(pdf, rows: list[tuple[str, ...]], top: float = 760) -> None:
    """A statement as filings print it: labels at the left margin, each figure right-aligned in its column."""
    for k, (label, *figures) in enumerate(rows):
        y = top - 16 * k
        pdf.drawString(72, y, label)
        for column, figure in enumerate(figures):
            pdf.drawRightString(400 + 90 * column, y, figure)


@pytest.mark.unit
def test_a_statement_table_on_a_page_is_read_as_row_sentences(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "statement.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawString(72, 760, "Harlow Foods annual report 2024")
    pdf.showPage()
    draw_statement(pdf, [("Consolidated income statement",), ("(in millions of pounds)",), ("Year ended", "2024", "2023"),
                         ("Revenue", "812.4", "776.0"), ("Operating costs", "(690.2)", "(661.9)"),
                         ("Operating profit", "122.2", "114.1")])
    pdf.showPage()
    pdf.save()
    page = dict(parse(path, path.read_bytes()).pages)[2]
    assert "Revenue (in millions of pounds): 2024 is 812.4; 2023 is 776.0." in page.split("\n")
    assert "Operating profit (in millions of pounds): 2024 is 122.2; 2023 is 114.1." in page.split("\n")


@pytest.mark.slow
def test_a_500_page_filing_is_ingested_whole_and_cites_a_deep_page(tmp_path):
    """Memory and speed at this size are measured in benchmarks/ingest.py --pdf 100 500; here: nothing is lost."""
    pages = [f"Page {n} of the Harlow Foods annual report discusses store number {n} and its staffing."
             for n in range(1, 501)]
    pages[436] = "The Harlow Foods cold-chain depot at Ellesmere Port handled 41,700 pallets in 2024."
    folder = tmp_path / "filings"
    folder.mkdir()
    make_pdf(folder / "harlow-2024.pdf", pages)
    ingested = run_qa("ingest", str(folder), "--index", str(tmp_path / "index"))
    assert ingested.returncode == 0 and "1 added" in ingested.stdout, ingested.stderr
    found = run_qa("search", "How many pallets did the Ellesmere Port depot handle?", "--index",
                   str(tmp_path / "index"), "--json", "-k", "1")
    (top,) = json.loads(found.stdout)
    assert top["page"] == 437 and "41,700 pallets" in top["text"]


def cover(filer: str, year: int) -> list[str]:
    return ["FORM 10-K", f"For the fiscal year ended December 31, {year}", filer,
            "(Exact name of registrant as specified in its charter)"]


def make_filing(path: Path, filer: str, year: int, revenue: str) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setTitle("Form 10-K")
    for k, line in enumerate(cover(filer, year)):
        pdf.drawString(72, 720 - 16 * k, line)
    pdf.showPage()
    pdf.drawString(72, 720, f"Our total revenue grew in fiscal {year} as demand rose across our regions.")
    pdf.showPage()
    draw_statement(pdf, [("CONSOLIDATED STATEMENTS OF OPERATIONS",), ("(In millions)",),
                         ("Year ended December 31,", str(year), str(year - 1)), ("Total revenue", revenue, "900"),
                         ("Operating income", "310", "290"), ("Net income", "205", "198")])
    pdf.showPage()
    pdf.save()
    return path


@pytest.mark.unit
def test_a_filing_records_its_filer_and_period_from_the_cover(tmp_path):
    path = make_filing(tmp_path / "k.pdf", "Kestrel Mining Corporation", 2023, "1,020")
    article = parse(path, path.read_bytes())
    assert (article.title, article.company, article.period) == (
        "Form 10-K", "Kestrel Mining Corporation", "fiscal year ended December 31, 2023")


def test_filings_are_found_by_company_and_year_and_their_statement_page_first(tmp_path):
    folder = tmp_path / "filings"
    folder.mkdir()
    for filer, year, revenue in (("Kestrel Mining Corporation", 2023, "1,020"), ("Kestrel Mining Corporation", 2022,
                                  "980"), ("Orchard Lane Foods Inc.", 2023, "2,450")):
        make_filing(folder / f"{filer.split()[0].lower()}-{year}.pdf", filer, year, revenue)
    index = str(tmp_path / "index")
    assert run_qa("ingest", str(folder), "--index", index).returncode == 0
    found = run_qa("search", "What was Kestrel Mining's total revenue in fiscal 2023?", "--index", index, "--json")
    top = json.loads(found.stdout)[0]
    assert (top["path"].endswith("kestrel-2023.pdf"), top["page"]) == (True, 3)
    assert "Total revenue (In millions): December 31, 2023 is 1,020" in top["text"]
    only = run_qa("search", "total revenue", "--company", "orchard", "--index", index, "--json", "-k", "10")
    assert {p["company"] for p in json.loads(only.stdout)} == {"Orchard Lane Foods Inc."}
