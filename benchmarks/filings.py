"""Long filings: does search find the page that holds the figure a question asks for?

    .venv/bin/python benchmarks/filings.py [--companies 5] [--pages 60] [--seed 1] [--keep DIR]

Generates annual reports as PDFs (invented companies, sentences from templates written for this benchmark):
for each company and fiscal year a cover (10-K style: the period and the filer, "(Exact name of
registrant ...)"), pages of management's discussion that talk about revenue, income, assets and cash with the
question's words and without the statement figures, filler pages of risks and governance, and four statement
pages (operations, balance sheet, cash flows, segments) with the year and the prior year side by side.
Companies share the template, so every narrative page of every company and year competes with the right one:
the misses of the held-out 10-K set (narrative pages that repeat the question's words, the right company in
another year, another company) all have their chance here.

Questions ask for one statement line of one company and fiscal year ("What was Brightwater Tools' operating
income in fiscal 2023?"). A page is right when it states that line with that figure: the year's own statement,
or the next year's, whose prior-year column repeats it. Reports page recall@5 and @10 (distinct pages in rank
order) for qa's hybrid search and for its dense and BM25 halves alone, and ingest pages per second.

``--as-text`` gives each page to qa as a text file of its own instead (the text pdfium reads from it), as the
held-out set of 10-K pages does: no file then knows which filing it belongs to beyond what its page says.

The templates are this benchmark's own: use it to see mechanisms work, never to tune a threshold.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

NAMES = ["Brightwater Tools", "Orchard Lane Foods", "Kestrel Mining", "Harbor Point Logistics", "Silvermoor Health",
         "Northgate Software", "Copperfield Energy", "Bluefin Retail"]
SUFFIXES = ["Inc.", "Corporation", "Holdings, Inc.", "Group plc"]
ITEMS = {  # statement line: (statement, question, magnitude in millions)
    "Total revenue": ("operations", "What was {cs} total revenue in fiscal {y}?", 9000),
    "Cost of revenue": ("operations", "What was {cs} cost of revenue for fiscal {y}?", 5000),
    "Research and development": ("operations", "How much did {c} spend on research and development in fiscal {y}?",
                                 700),
    "Operating income": ("operations", "What was {cs} operating income in fiscal {y}?", 1500),
    "Net income": ("operations", "How much net income did {c} report for fiscal {y}?", 1100),
    "Total assets": ("balance", "What were {cs} total assets at the end of fiscal {y}?", 20000),
    "Long-term debt": ("balance", "How much long-term debt did {c} carry at the end of fiscal {y}?", 4000),
    "Net cash provided by operating activities": (
        "cash", "How much cash did {c} generate from operating activities in fiscal {y}?", 1800),
    "Capital expenditures": ("cash", "What were {cs} capital expenditures in fiscal {y}?", 600),
}
STATEMENTS = {
    "operations": ("CONSOLIDATED STATEMENTS OF OPERATIONS", ["Total revenue", "Cost of revenue", "Gross profit",
                   "Research and development", "Selling, general and administrative", "Operating income",
                   "Interest expense", "Income before income taxes", "Provision for income taxes", "Net income"]),
    "balance": ("CONSOLIDATED BALANCE SHEETS", ["Cash and cash equivalents", "Accounts receivable", "Inventories",
                "Total current assets", "Property and equipment, net", "Goodwill", "Total assets",
                "Total current liabilities", "Long-term debt", "Total stockholders' equity"]),
    "cash": ("CONSOLIDATED STATEMENTS OF CASH FLOWS", ["Net income", "Depreciation and amortization",
             "Stock-based compensation", "Net cash provided by operating activities", "Capital expenditures",
             "Net cash used in investing activities", "Repurchases of common stock",
             "Net cash used in financing activities"]),
}
NARRATIVE = [
    "{c_we} total revenue {grew} {pct}% in fiscal {y} compared with fiscal {p}, as {driver}.",
    "Operating income {grew} in fiscal {y}, reflecting {driver} and our continued cost discipline.",
    "Net income for fiscal {y} {grew} {pct}% from fiscal {p}; diluted earnings per share moved with it.",
    "Research and development spending remained a priority in fiscal {y}, as {driver}.",
    "Cash provided by operating activities in fiscal {y} funded capital expenditures, dividends and repurchases.",
    "Total assets at the end of fiscal {y} reflected {driver} and the timing of collections.",
    "We expect revenue and operating income in fiscal {n} to depend on {driver}.",
    "Long-term debt and interest expense are discussed under Liquidity and Capital Resources below.",
    "Gross profit as a share of revenue {grew} as {driver}, partly offset by freight and labor costs.",
]
DRIVERS = ["demand from enterprise customers increased", "pricing actions took effect", "new stores opened",
           "volumes recovered in our largest segment", "currency movements reduced reported results",
           "a new product line reached customers", "supply constraints eased"]
FILLER = [
    "Our business is subject to risks, including competition, regulation and changes in customer demand.",
    "We depend on key personnel, and the loss of members of our management team could harm our business.",
    "Our board of directors oversees risk through its committees, each of which reports to the full board.",
    "Cybersecurity incidents could disrupt our operations and expose us to claims and regulatory penalties.",
    "Changes in tax law in the jurisdictions where we operate could affect our effective tax rate.",
    "We lease our principal offices and believe our facilities are adequate for our current needs.",
    "From time to time we are party to legal proceedings arising in the ordinary course of business.",
]


@dataclass
class Question:
    question: str
    line: str
    figure: str
    company: str
    year: int


def generate(folder: Path, companies: int, pages: int, years: tuple[int, ...], seed: int) -> list[Question]:
    """Write one PDF per company and fiscal year into ``folder``; return the questions over them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    questions = []
    for name in NAMES[:companies]:
        filer = f"{name} {rng.choice(SUFFIXES)}"
        values = {line: {y: _figure(rng, ITEMS.get(line, (0, 0, 900))[2]) for y in (years[0] - 1, *years)}
                  for _, lines in STATEMENTS.values() for line in lines}
        for year in years:
            _write_filing(folder / f"{name.lower().replace(' ', '-')}-10k-{year}.pdf", rng, name, filer, year,
                          values, pages)
            possessive = f"{name}'" if name.endswith("s") else f"{name}'s"
            questions += [Question(template.format(c=name, cs=possessive, y=year), line, f"{values[line][year]:,}",
                                   name, year)
                          for line, (_, template, _) in ITEMS.items()]
    return questions


def _figure(rng: random.Random, magnitude: int) -> int:
    return int(magnitude * rng.uniform(0.6, 1.4))


def _write_filing(path: Path, rng: random.Random, name: str, filer: str, year: int, values: dict,
                  pages: int) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setTitle("Form 10-K")
    cover = ["UNITED STATES SECURITIES AND EXCHANGE COMMISSION", "FORM 10-K",
             "ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934",
             f"For the fiscal year ended December 31, {year}", f"Commission File Number 001-{rng.randint(10000, 99999)}",
             filer, "(Exact name of registrant as specified in its charter)", "Delaware"]
    _page(pdf, cover)
    statement_at = sorted(rng.sample(range(pages // 2, pages - 2), len(STATEMENTS) + 1))
    kinds = list(STATEMENTS) + ["segments"]
    for number in range(2, pages + 1):
        if number - 1 in statement_at:
            kind = kinds[statement_at.index(number - 1)]
            _statement_page(pdf, kind, year, values, rng)
        elif number < pages // 2:
            _page(pdf, [_narrative(rng, year, k) for k in rng.sample(range(len(NARRATIVE)), 7)], footer=number)
        else:
            _page(pdf, rng.sample(FILLER, 6), footer=number)
    pdf.save()


def _narrative(rng: random.Random, year: int, k: int) -> str:
    return NARRATIVE[k].format(c_we="Our", grew=rng.choice(["increased", "decreased", "grew"]),
                                        pct=rng.randint(2, 19), y=year, p=year - 1, n=year + 1,
                                        driver=rng.choice(DRIVERS))


def _page(pdf, lines: list[str], footer: int | None = None) -> None:
    y = 740
    for line in lines:
        for part in _wrap(line, 95):
            pdf.drawString(60, y, part)
            y -= 14
    if footer:
        pdf.drawString(300, 40, str(footer))
    pdf.showPage()


def _statement_page(pdf, kind: str, year: int, values: dict, rng: random.Random) -> None:
    if kind == "segments":
        title, lines = "SEGMENT INFORMATION", [f"Segment {k} revenue" for k in "ABC"]
        rows = [(line, f"{_figure(rng, 3000):,}", f"{_figure(rng, 3000):,}") for line in lines]
    else:
        title, lines = STATEMENTS[kind]
        rows = [(line, f"{values[line][year]:,}", f"{values[line][year - 1]:,}") for line in lines]
    pdf.drawString(60, 740, title)
    pdf.drawString(60, 724, "(In millions)")
    pdf.drawString(60, 708, "Year ended December 31,")
    pdf.drawRightString(420, 708, str(year))
    pdf.drawRightString(510, 708, str(year - 1))
    for k, (label, current, prior) in enumerate(rows):
        y = 690 - 16 * k
        pdf.drawString(60, y, label)
        pdf.drawRightString(420, y, current)
        pdf.drawRightString(510, y, prior)
    pdf.showPage()


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def split_pages(folder: Path) -> None:
    """Replace each PDF in ``folder`` by one text file per page, named after the PDF and the page."""
    import pypdfium2 as pdfium

    for path in sorted(folder.glob("*.pdf")):
        pdf = pdfium.PdfDocument(path)
        for number in range(len(pdf)):
            text = pdf[number].get_textpage().get_text_range().replace("\r\n", "\n")
            (folder / f"{path.stem}-page-{number + 1:03d}.txt").write_text(text, encoding="utf-8")
        pdf.close()
        path.unlink()


def is_right(passage, q: Question) -> bool:
    """The page states the asked line with its figure (a row sentence names the line, then its figures)."""
    return any(q.line in row and q.figure in row for row in passage.text.split("\n"))


def page_recall(qa, questions: list[Question], mode: str, depths=(5, 10)) -> dict[str, float]:
    hits = {d: 0 for d in depths}
    for q in questions:
        pages, right = [], []
        for p in qa.search(q.question, k=60, mode=mode):
            if (p.path, p.page) not in pages:
                pages.append((p.path, p.page))
                right.append(False)
            right[pages.index((p.path, p.page))] |= is_right(p, q)
        for d in depths:
            hits[d] += any(right[:d])
    return {f"recall@{d}": round(hits[d] / len(questions), 3) for d in depths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=5)
    parser.add_argument("--pages", type=int, default=60, help="pages per filing")
    parser.add_argument("--years", type=int, nargs="+", default=[2022, 2023])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-text", action="store_true", help="one text file per page instead of one PDF a filing")
    parser.add_argument("--keep", type=Path, help="write the filings and the index here and keep them")
    args = parser.parse_args()
    from qa import QA

    work = args.keep or Path(tempfile.mkdtemp(prefix="qa-filings-"))
    try:
        questions = generate(work / "filings", args.companies, args.pages, tuple(args.years), args.seed)
        if args.as_text:
            split_pages(work / "filings")
        qa = QA(index=work / "index")
        qa.embedder.encode(["warm up"])
        start = time.perf_counter()
        report = qa.ingest([work / "filings"], rebuild=True)
        seconds = time.perf_counter() - start
        pages = args.companies * len(args.years) * args.pages
        result = {"filings": report.total_files, "pages": pages, "passages": report.total_chunks,
                  "questions": len(questions), "ingest_seconds": round(seconds, 1),
                  "pages_per_second": round(pages / seconds, 1)}
        for mode in ("hybrid", "dense", "bm25"):
            result[mode] = page_recall(qa, questions, mode)
        print(json.dumps(result, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
