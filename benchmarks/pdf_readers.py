"""Which PDF library reads filings best and fastest here: pypdfium2 (qa's), pypdf and pdfplumber.

    .venv/bin/python benchmarks/pdf_readers.py [--pages 100] [--rounds 3]

On one generated annual report (benchmarks/filings.py), each library extracts every page's text. Reported:
seconds for the whole filing (median of rounds), pages per second, and the share of statement rows that come
out as one line, label and figures in order ("Total revenue 11,176 9,498"), which is what qa's reading of tables
laid out in text (``qa.ingest.tables.text_layout``) needs. Needs ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from filings import STATEMENTS, generate  # noqa: E402


def pypdfium2_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    pages = [pdf[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(pdf))]
    pdf.close()
    return pages


def pypdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def pdfplumber_pages(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


READERS = {"pypdfium2": pypdfium2_pages, "pypdf": pypdf_pages, "pdfplumber": pdfplumber_pages}
LABELS = [line for _, lines in STATEMENTS.values() for line in lines]


def rows_on_one_line(pages: list[str]) -> float:
    """Share of statement rows read as one line: the label, then two figures."""
    lines = [line.strip() for page in pages for line in page.split("\n")]
    row = re.compile(r"^(?P<label>.+?)\s+[\d,]+\s+[\d,]+$")
    found = {m["label"] for line in lines if (m := row.match(line))}
    expected = [label for label in LABELS if any(label in page for page in pages)]
    return sum(label in found for label in expected) / max(1, len(expected))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), companies=1, pages=args.pages, years=(2023,), seed=1)
        (path,) = Path(tmp).glob("*.pdf")
        print(f"| library | seconds for {args.pages} pages | pages/s | statement rows on one line |")
        print("| --- | --- | --- | --- |")
        for name, read in READERS.items():
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                pages = read(path)
                times.append(time.perf_counter() - start)
            seconds = statistics.median(times)
            print(f"| {name} | {seconds:.3f} | {args.pages / seconds:.0f} | {rows_on_one_line(pages):.0%} |")


if __name__ == "__main__":
    main()
