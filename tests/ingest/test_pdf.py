"""PDF filings: text page by page, pages cited, scanned pages and broken files reported in one line.
The PDFs are drawn here with reportlab from sentences written for these tests."""

import json
from pathlib import Path

import pytest

from conftest import run_qa
from qa.ingest.chunking import split_article
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
    chunks = split_article(article, WordCounter(), chunk_size=180, chunk_overlap=30)
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
