"""Files to articles: text plus metadata, one reader per format.

Readers never raise for a bad file; they raise ``SkipFile`` with a one-line reason so that one broken
file costs a warning, not the whole ingest.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from . import filings, html, tables
from .article import Article

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PDF_BYTES = 200 * 1024 * 1024  # annual reports with images; read page by page, never held as text whole


class SkipFile(Exception):
    """A file that cannot be ingested; the message says why in a few words."""


def discover(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Expand files and folders into supported files; return (files, folders walked).

    Symlinked folders are not followed, which rules out symlink loops; hidden entries are skipped.
    """
    files: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        if path.is_dir():
            folders.append(path.resolve())
            for root, dirs, names in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(
                    Path(root, n).resolve() for n in sorted(names)
                    if not n.startswith(".") and n.lower().endswith(SUPPORTED_SUFFIXES)
                )
        elif path.is_file():
            files.append(path.resolve())
    return list(dict.fromkeys(files)), folders


def read_bytes(path: Path) -> bytes:
    """Read a file whole, refusing sizes that would blow up memory for no useful article."""
    size, limit = path.stat().st_size, MAX_PDF_BYTES if path.suffix.lower() == ".pdf" else MAX_FILE_BYTES
    if size > limit:
        raise SkipFile(f"larger than {limit // 2**20} MB ({size // 2**20} MB)")
    return path.read_bytes()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse(path: Path, data: bytes) -> Article:
    """Turn a file's bytes into an Article, choosing the reader by suffix."""
    if path.suffix.lower() == ".pdf":
        article = _read_pdf(path, data)
        article.sha256 = content_hash(data)
        return article
    if b"\x00" in data[:8192]:
        raise SkipFile("binary content")
    raw, warning = decode(path, data)
    reader = _read_html if path.suffix.lower() in (".html", ".htm") else _read_markdown
    article = reader(path, raw)
    article.text = _tidy(article.text)
    if not article.text:
        raise SkipFile("no text")
    article.sha256 = content_hash(data)
    if warning:
        article.warnings.append(warning)
    return article


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """UTF-8 text, and a warning when some bytes were not UTF-8: a stray byte costs a replacement character, not
    the file. A file that is mostly not UTF-8 (another encoding, or binary) is skipped."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        first = exc.start
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8-sig", errors="ignore").count("\ufffd")
    if bad > max(16, len(data) // 100):
        raise SkipFile(f"not UTF-8 text ({bad:,} bad bytes, the first at byte {first:,})")
    return text, (f"{path}: {bad:,} byte{'s' if bad != 1 else ''} not UTF-8 (the first at byte {first:,}), read as "
                  "\ufffd")


def _read_markdown(path: Path, raw: str) -> Article:
    """Markdown or plain text, with optional YAML front matter for title, date, source and url."""
    import frontmatter

    try:
        post = frontmatter.loads(raw)
        meta, body = post.metadata, post.content
    except Exception:  # malformed front matter: keep the text, lose the metadata
        meta, body = {}, raw
    title = str(meta.get("title") or _first_heading(body) or path.stem.replace("-", " ").replace("_", " "))
    return Article(
        path=str(path), text=tables.markdown_text(body), title=title.strip(), date=_date(meta.get("date")),
        source=str(meta.get("source") or ""), url=str(meta.get("url") or ""),
    )


def _read_html(path: Path, raw: str) -> Article:
    return html.read(raw, str(path))


def _read_pdf(path: Path, data: bytes) -> Article:
    """A PDF's text page by page in reading order (pdfium, the fastest reader measured here: see
    benchmarks/README.md). Pages without a text layer are skipped with a warning naming them; no OCR."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)  # an empty user password opens the usual "encrypted" filings
    except pdfium.PdfiumError as exc:
        reason = "encrypted with a password" if "password" in str(exc).lower() else f"not a readable PDF ({exc})"
        raise SkipFile(reason) from None
    pages, blank = [], []
    try:
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            textpage = page.get_textpage()
            text = tables.text_layout(_tidy(textpage.get_text_range().replace("\r\n", "\n")))
            textpage.close()
            page.close()
            if text:
                pages.append((number, text))
            else:
                blank.append(number)
        meta = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    if not pages:
        raise SkipFile("no text layer on any page (scanned?)")
    first_line = next((line.strip() for line in pages[0][1].split("\n") if line.strip()), "")
    warnings = [f"{path}: no text layer on {_page_ranges(blank)} (scanned?); skipped"] if blank else []
    cover = "\n".join(text for _, text in pages[:2])
    return Article(path=str(path), text="\n\n".join(text for _, text in pages),
                   title=(meta.get("Title") or first_line[:200] or path.stem).strip(),
                   date=_pdf_date(meta.get("CreationDate", "")), source=meta.get("Author", ""),
                   pages=pages, warnings=warnings, company=filings.company(cover),
                   period=filings.fiscal_period(cover))


def _page_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] as "pages 3-5, 9"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(parts)


def _pdf_date(value: str) -> str:
    """PDF dates are written "D:20240315120000Z"; the ISO day, or empty."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", value or "")
    return "-".join(match.groups()) if match else ""


def _first_heading(body: str) -> str:
    match = re.search(r"^#\s+(.+)$", body, re.M)
    return match.group(1) if match else ""


def _date(value) -> str:
    """ISO date (YYYY-MM-DD) from front matter or meta tags; empty when absent."""
    if value is None:
        return ""
    text = str(value)
    match = re.match(r"\d{4}-\d{2}-\d{2}", text)
    return match.group(0) if match else text[:10]


def _tidy(text: str) -> str:
    """Drop control characters and collapse runs of blank lines and spaces."""
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n\s*", "\n\n", text).strip()
