"""Tables to text: the one place an HTML ``<table>``, a Markdown pipe table or a table laid out in the text
lines of a PDF page becomes sentences.

Retrieval cuts articles into passages and the model reads passages, so a table flattened to a pile of cells
loses which figure is which. Each body row therefore becomes one sentence that names its label, the table's
units and every column it has a figure in:

    Operating expenses — Research and development (in millions of yuan): Q4 2024 is 4,512; Q4 2023 is 3,905.

Choices (the tests show each):

- Header rows are the leading rows whose figure columns hold no figure other than a year; after the first,
  a row also needs an empty label or a period ("2024", "June 30, 2024") in it, so that a body row of words
  ("CEO | Jane Doe") is not taken for a header. Header rows are joined per column ("Three months ended" +
  "June 30, 2024"). Where the source keeps no column spans (Markdown), a title over several columns is
  spread over the empty cells beside it (``_spread``).
- Units ("in millions of yuan", "RMB'000", "%") come from the caption, a row holding nothing else, the
  top-left header cell, or the text line just before the table, and are repeated in every sentence.
- Figures in parentheses stay as written, "(1,234)": the sentence then quotes the source, which is what
  grounding and the gold answers of financial QA sets compare against, and ``qa.text.quantities`` reads
  "(1,234)" as negative already. Footnote marks ("Revenue(1)", "1,234 (a)", "¹", "†", "*") are dropped.
- A row with a label and no figure is a section ("Operating expenses:"): its label prefixes the rows under
  it until the next section or a "Total" row. An unlabelled row of figures is called "Total": in financial
  tables it is the sum line, so the label above it would misname it. An unlabelled row of words restates
  the header for a second table stacked under the first. A table whose first column holds figures has no
  label column, and its sentences no label.
- A table of one row, one column or no figure at all lays out a page rather than data: it is read as its
  plain cell text, one row a line.
- In plain text (``text_layout``) a table is a run of at least three lines that end in the same number of
  figures ("Total net sales 394,328 365,817"), with section lines ("Operating expenses:") allowed between
  them; the closest line above holding that many periods ("2022 2021", "September 24, 2022 September 25,
  2021") names the columns, and a units line above gives the units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate

from ..text.dates import MONTH, YEAR

_MARKS = re.compile(r"[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]")
_TRAILING_NOTE = re.compile(r"(?<=[\w).%])(?:\s*[(\[](?:\d{1,2}|[a-z]|[ivx]{2,4})[)\]])+$")
_SUP_NOTE = re.compile(r"[(\[]?(?:\d{1,2}|[a-z]|[*†‡§])[)\]]?")
_FIGURE = re.compile(r"(?:[A-Z]{2,3}\s?)?[(\-−–+$€£¥\s]*\d[\d,]*(?:\.\d+)?\s*(?:%|x|bps|pts|m|bn)?\s*\)?")
_YEAR = re.compile(rf"(?:FY\s?)?{YEAR}")
_PERIOD = re.compile(rf"(?<![\d,.]){YEAR}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\bQ[1-4]\b"
                     rf"|\b{MONTH}\s+\d|\b\d{{1,2}}\s+{MONTH}\b", re.I)
_SCALE = r"(?:thousands?|millions?|billions?|'000s?|mn|bn|mln|percent|%|(?<=[$€£¥])(?:m|bn|k|000))"
_UNITS = re.compile(rf"\(?(?:[^\d()]{{0,30}}?\s?)?(?:in\s+)?{_SCALE}(?:\s+of\s+[^\d(),]+)?(?:\s*,[^()]*)?\)?", re.I)
_SEPARATOR = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_PIPE = re.compile(r"(?<!\\)\|")


@dataclass
class Table:
    """A table as read: caption and units apart, header rows and body rows as cleaned cell texts of equal width;
    column 0 holds the row labels."""

    caption: str = ""
    units: str = ""
    header_rows: list[list[str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def from_html(tag, before: str = "") -> Table:
    """Read a BeautifulSoup ``<table>`` (not its nested tables). ``thead`` rows and rows of ``th`` are headers;
    a header cell's text is repeated across its ``colspan``, a body cell's is not (a section or units row
    spanning the table stays one cell); a ``rowspan`` repeats the text in the rows below."""
    caption = tag.find("caption")
    grid, wide, carried, explicit = [], [], {}, 0  # carried: column -> (text, rows it still covers)
    for tr in _rows(tag):
        cells = [cell for cell in tr.children if cell.name in ("td", "th")]
        heading = bool(cells) and (tr.parent.name == "thead" or all(c.name == "th" for c in cells))
        explicit += heading and explicit == len(grid)
        row, full = [], []  # full: with each spanned cell's text repeated
        while cells or any(col >= len(row) for col in carried):
            col = len(row)
            if col in carried or not cells:
                text, left = carried.pop(col, ("", 0))
                if left > 1:
                    carried[col] = (text, left - 1)
                row.append(text)
                full.append(text)
                continue
            cell = cells.pop(0)
            text, across, down = _cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan")
            row += [text] + [""] * (across - 1)
            full += [text] * across
            carried.update({col + k: (text, down - 1) for k in range(across) if down > 1})
        grid.append(row)
        wide.append(full)
    return _assemble(grid, explicit, caption.get_text(" ", strip=True) if caption else "", before, wide)


def from_markdown(lines: list[str], before: str = "") -> Table:
    """Read a pipe table: a header line, the ``|---|`` separator line, then body lines."""
    rows = [[c.replace("\\|", "|") for c in _PIPE.split(line.strip().removeprefix("|").removesuffix("|"))]
            for line in lines if not _SEPARATOR.fullmatch(line)]
    return _assemble(rows, 1, "", before)


_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


def markdown_text(text: str) -> str:
    """``text`` with each pipe table, and each HTML table written inline (Markdown allows HTML), replaced by its
    lines (``lines``), as a paragraph of its own."""
    text = _HTML_TABLE.sub(lambda m: _inline_html(m, text), text)
    source, out, i = text.split("\n"), [], 0
    while i < len(source):
        if "|" in source[i] and i + 1 < len(source) and "|" in source[i + 1] and _SEPARATOR.fullmatch(source[i + 1]):
            end = i + 2
            while end < len(source) and "|" in source[end] and source[end].strip():
                end += 1
            before = next((line for line in reversed(out) if line.strip()), "")
            out += ["", *lines(from_markdown(source[i:end], before)), ""]
            i = end
        else:
            out.append(source[i])
            i += 1
    return "\n".join(out)


def _inline_html(match: re.Match, text: str) -> str:
    from bs4 import BeautifulSoup

    before = next((line for line in reversed(text[:match.start()].split("\n")) if line.strip()), "")
    tag = BeautifulSoup(match[0], "html.parser").find("table")
    return "\n\n" + "\n".join(lines(from_html(tag, before=before))) + "\n\n"


_CELL = r"(?:[$€£¥]\s?)?\(?[-−–]?[$€£¥]?\d[\d,]*(?:\.\d+)?\)?%?|[—–-]"
_FIGURE_ROW = re.compile(rf"^(?P<label>.*?[A-Za-z].*?)\s+(?P<cells>(?:(?:{_CELL})\s+)*(?:{_CELL}))\s*$")
_COLUMN_PERIOD = re.compile(rf"\b{MONTH}\s+\d{{1,2}},?\s+{YEAR}\b|(?:FY\s?|Q[1-4]\s)?\b{YEAR}\b", re.I)
_SECTION_LINE = re.compile(r"^[A-Z][^.!?\d]{1,60}:?$")
_CURRENCY_GAP = re.compile(r"([$€£¥])\s+(?=[\d(])")
MIN_TEXT_ROWS = 3
# A statement's column header ("(Millions) 2018 2017 2016") heads every block of rows below it on its page, and
# a line of prose ("Adjustments to reconcile net income ...") can split the rows into several blocks.
HEADER_REACH = 40


def text_layout(text: str) -> str:
    """``text`` with each table laid out in plain lines replaced by its row sentences (see the module notes)."""
    source = [_CURRENCY_GAP.sub(r"\1", line.strip()) for line in text.split("\n")]
    out, i = [], 0
    while i < len(source):
        end, width = _figure_run(source, i)
        if end is None:
            out.append(source[i])
            i += 1
            continue
        above = [line for line in out[-HEADER_REACH:] if line]
        heading = next((line for line in reversed(above) if len(_periods(line)) == width), "")
        header = _periods(heading) or None
        units = next((line for line in reversed(above[-4:]) if _UNITS.fullmatch(line)), "") or _units_of(heading)
        grid = ([["", *header]] if header else []) + [_text_row(line, width) for line in source[i:end]]
        out += lines(_assemble(grid, int(bool(header)), "", units))
        i = end
    return "\n".join(out)


def _units_of(heading: str) -> str:
    """The units a column header states beside its periods ("(Millions) 2018 2017 2016")."""
    rest = " ".join(_COLUMN_PERIOD.sub(" ", heading).split())
    return rest if rest and _UNITS.fullmatch(rest) else ""


def _figure_run(source: list[str], start: int) -> tuple[int | None, int]:
    """(end, figure columns) of a plain-text table starting at line ``start`` (a row of figures, or section
    lines and then one), or (None, 0)."""
    width, rows, end = 0, 0, start
    for j in range(start, len(source)):
        cells = _row_cells(source[j])
        if cells and (not width or len(cells) == width):
            width, rows, end = len(cells), rows + 1, j + 1
        elif not _SECTION_LINE.match(source[j]):
            break
    return (end, width) if rows >= MIN_TEXT_ROWS else (None, 0)


def _periods(line: str) -> list[str]:
    """The periods a header line names ("Year ended 31 December 2024 2023": 2024 and 2023); none when the line
    also holds a figure. A day written once before several years is every year's ("December 31, 2024 2023")."""
    periods = _COLUMN_PERIOD.findall(line)
    if re.search(r"\d{3,}|\d[.,]\d", _COLUMN_PERIOD.sub(" ", line)):
        return []
    day = re.match(rf"(.*\D){YEAR}$", periods[0]) if periods else None
    if day and all(_YEAR.fullmatch(p) for p in periods[1:]):
        periods = [periods[0]] + [day[1] + p for p in periods[1:]]
    return periods


def _row_cells(line: str) -> list[str]:
    """The figures a line ends in, when it is a table row: a label, then figures (one at least not a year)."""
    if _periods(line):
        return []
    match = _FIGURE_ROW.match(line)
    cells = match["cells"].split() if match else []
    return cells if any(_is_figure(c) and any(ch.isdigit() for ch in c) for c in cells) else []


def _text_row(line: str, width: int) -> list[str]:
    cells = _row_cells(line)
    if len(cells) != width:
        return [line.rstrip(":")] + [""] * width  # a section line
    return [_FIGURE_ROW.match(line)["label"].strip(), *cells]


def is_layout(table: Table) -> bool:
    """One row, one column or no figure: a table that arranges a page, not one that holds data."""
    every = table.header_rows + table.rows
    return (len(every) < 2 or len(every[0]) < 2
            or not any(_FIGURE.fullmatch(c) for row in table.rows for c in row[1:]))


def lines(table: Table) -> list[str]:
    """The row sentences of a data table; the plain cell text, a row a line, of a layout table."""
    if not is_layout(table):
        return sentences(table)
    rows = [[table.caption], [table.units]] + table.header_rows + table.rows
    return [" ".join(c for c in row if c) for row in rows if any(row)]


# A line as ``sentences`` writes it, for readers of the text to find rows by: its label (with section and units)
# and its cells, one of them at least a figure under a column name.
ROW_SENTENCE = re.compile(r"^(?P<label>[^:\n]{2,200}): (?P<cells>[^\n]*\bis\b[^\n]*\d[^\n]*)$", re.M)


def sentences(table: Table) -> list[str]:
    """One sentence per body row with figures: "<caption> — <section> — <label> (<units>): <column> is <figure>;
    ...". Empty cells are left out; section rows only prefix the rows below them."""
    width = len(table.rows[0]) if table.rows else 0
    names = _column_names(table.header_rows, width)
    units = "" if not table.units else f" {table.units}" if table.units.startswith("(") else f" ({table.units})"
    out, section, restated, labelled = [], "", [], any(row[0] for row in table.rows)
    for label, *values in table.rows:
        label = label.rstrip(":").strip()
        if not label and any(values) and not any(_is_figure(v) for v in values):
            restated.append([label, *values])  # the header of a second table stacked under the first
            continue
        if restated:
            names, restated = _column_names(_spread(restated), width), []
        if not any(values):
            section = label or section
            continue
        label = label or ("Total" if labelled else "")
        parts = "; ".join(f"{names[j]} is {v}" if names[j] else v for j, v in enumerate(values, start=1) if v)
        name = (" — ".join(p for p in (table.caption, section, label) if p) + units).strip()
        out.append(f"{name}: {parts}." if name else f"{parts}.")
        if label.lower().startswith("total"):
            section = ""
    return out


def _assemble(grid: list[list[str]], explicit: int, caption: str, before: str, wide=None) -> Table:
    """The shared reading of a cell grid: clean cells, take the units out, drop empty rows and columns, and
    split header from body. ``wide`` is the grid with spanned cells repeated, when the source has spans."""
    spans = wide is not None
    width = max(map(len, grid), default=0)
    grid, wide = ([[_clean(c) for c in r] + [""] * (width - len(r)) for r in g] for g in (grid, wide or grid))
    units, caption = _caption_units(caption)
    kept, leading = [], True  # kept: (row, wide row, whether it was given as a header row)
    for i, (row, full) in enumerate(zip(grid, wide)):
        leading = leading and not any(_is_figure(c) for c in row[1:])
        texts = {c for c in row if c}
        if leading and len(texts) == 1 and _UNITS.fullmatch(only := texts.pop()):
            units = units or only
            continue
        if leading and _UNITS.fullmatch(row[0]):
            units, row[0], full[0] = units or row[0], "", ""
        if any(row):
            kept.append((row, full, i < explicit))
    columns = [j for j in range(width) if j == 0 or any(row[j] for row, _, _ in kept)]
    unlabelled = any(_is_figure(row[0]) for row, _, _ in kept)  # no label column: give the table an empty one
    grid = [[""] * unlabelled + [row[j] for j in columns] for row, _, _ in kept]
    wide = [[""] * unlabelled + [full[j] for j in columns] for _, full, _ in kept]
    depth = _header_depth(grid, sum(given for _, _, given in kept))
    units = units or (before.strip() if _UNITS.fullmatch(before.strip()) else "")
    return Table(caption, units, wide[:depth] if spans else _spread(grid[:depth]), grid[depth:])


def _header_depth(grid: list[list[str]], explicit: int) -> int:
    """Given header rows plus the rows below that hold no figure but years, keeping at least one body row."""
    depth = explicit
    while depth < len(grid) - 1 and not any(_is_figure(c) for c in grid[depth][1:]) and any(grid[depth][1:]):
        label, values = grid[depth][0], grid[depth][1:]
        if depth and label and not any(_PERIOD.search(v) for v in values):
            break
        depth += 1
    return depth


def _column_names(header_rows: list[list[str]], width: int) -> list[str]:
    """Header texts joined down each column, a text repeated by a span or a second header row only once."""
    names = [[] for _ in range(width)]
    for row in header_rows:
        for j, text in enumerate(row[:width]):
            if j and text and (not names[j] or names[j][-1] != text):
                names[j].append(text)
    return [" ".join(parts) for parts in names]


def _spread(header_rows: list[list[str]]) -> list[list[str]]:
    """Header rows of a source that keeps no column spans (Markdown), where a title over several columns sits in
    one cell: above the last header row, a single text spans every figure column (a title centred over them,
    "December 31," over years) unless it sits in the last one, and each of several texts spans the empty cells
    to its right ("Financial assets" over 2019 and 2018)."""
    out = []
    for k, row in enumerate(header_rows):
        texts = {c for c in row[1:] if c}
        if k < len(header_rows) - 1 and len(texts) == 1 and not row[-1]:
            row = [row[0]] + [texts.pop()] * (len(row) - 1)
        elif k < len(header_rows) - 1:
            row = [row[0], *accumulate(row[1:], lambda left, cell: cell or left)]
        out.append(row)
    return out


def _caption_units(caption: str) -> tuple[str, str]:
    """(units, caption without them): the whole caption or a part of it in parentheses."""
    if _UNITS.fullmatch(caption):
        return caption, ""
    for match in re.finditer(r"\(([^()]*)\)", caption):
        if _UNITS.fullmatch(match.group(1)):
            return match.group(0), (caption[:match.start()] + caption[match.end():]).strip()
    return "", caption


def _is_figure(cell: str) -> bool:
    return bool(_FIGURE.fullmatch(cell)) and not _YEAR.fullmatch(cell)


def _clean(cell: str) -> str:
    """Whitespace collapsed, footnote marks and Markdown emphasis stars removed."""
    return _TRAILING_NOTE.sub("", _MARKS.sub("", " ".join(str(cell).split()))).strip()


def _rows(tag):
    """A table's own rows in order, directly under it or in its thead, tbody and tfoot (nested tables' not)."""
    for child in tag.children:
        if child.name == "tr":
            yield child
        elif child.name in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child.children if tr.name == "tr")


def _cell_text(cell) -> str:
    """A cell's text without footnote superscripts (``strings`` already leaves comments out)."""
    return " ".join(s for s in cell.strings if not (s.parent.name == "sup" and _SUP_NOTE.fullmatch(s.strip())))


def _span(cell, name: str) -> int:
    """A colspan or rowspan, capped so that a hostile page cannot make a huge grid."""
    value = str(cell.get(name) or "1")
    return min(int(value), 50) if value.isdigit() and int(value) > 0 else 1
