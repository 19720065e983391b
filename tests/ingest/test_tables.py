"""Tables to row sentences: each case a financial table poses, read from HTML and from Markdown."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from qa.ingest import tables
from qa.ingest.documents import parse
from qa.text.quantities import quantities

pytestmark = pytest.mark.unit


def html_table(html: str, before: str = "") -> tables.Table:
    return tables.from_html(BeautifulSoup(html, "html.parser").table, before=before)


def markdown_table(text: str, before: str = "") -> tables.Table:
    return tables.from_markdown(text.strip().splitlines(), before=before)


def test_html_caption_and_units_go_into_every_row():
    table = html_table("""<table><caption>Harbin Lanting results (in millions of yuan)</caption>
        <tr><th></th><th>2024</th><th>2023</th></tr>
        <tr><td>Revenue</td><td>12,480</td><td>10,915</td></tr>
        <tr><td>Net income</td><td>1,302</td><td>988</td></tr></table>""")
    assert (table.caption, table.units) == ("Harbin Lanting results", "(in millions of yuan)")
    assert tables.sentences(table) == [
        "Harbin Lanting results — Revenue (in millions of yuan): 2024 is 12,480; 2023 is 10,915.",
        "Harbin Lanting results — Net income (in millions of yuan): 2024 is 1,302; 2023 is 988.",
    ]


def test_thead_with_two_rows_and_colspan_names_each_column():
    table = html_table("""<table><thead>
        <tr><th></th><th colspan="2">Three months ended</th><th colspan="2">Year ended</th></tr>
        <tr><th></th><th>Dec 31, 2024</th><th>Dec 31, 2023</th><th>Dec 31, 2024</th><th>Dec 31, 2023</th></tr>
        </thead><tbody><tr><td>Net income</td><td>48,945</td><td>14,433</td><td>129,470</td><td>79,741</td></tr>
        </tbody></table>""")
    assert tables.sentences(table) == [
        "Net income: Three months ended Dec 31, 2024 is 48,945; Three months ended Dec 31, 2023 is 14,433; "
        "Year ended Dec 31, 2024 is 129,470; Year ended Dec 31, 2023 is 79,741."]


def test_rowspan_repeats_the_label_below():
    table = html_table("""<table><tr><th>Segment</th><th>Year</th><th>Sales</th></tr>
        <tr><td rowspan="2">Cloud</td><td>FY2024</td><td>880</td></tr><tr><td>FY2023</td><td>702</td></tr></table>""")
    assert [row[0] for row in table.rows] == ["Cloud", "Cloud"]


def test_markdown_table_inside_an_article_is_replaced_in_place():
    text = parse(Path("x.md"), b"""Lanting grew fast last year.

| Segment | 2024 | 2023 |
|:--------|-----:|-----:|
| Cloud   | 880  | 702  |
| Devices | 415  | 430  |

Devices shrank.""").text
    assert text.split("\n\n") == [
        "Lanting grew fast last year.",
        "Cloud: 2024 is 880; 2023 is 702.\nDevices: 2024 is 415; 2023 is 430.",
        "Devices shrank.",
    ]


def test_an_html_table_written_inside_markdown_is_read_as_a_table():
    text = parse(Path("x.md"), b"""Lanting grew fast last year.

<table><caption>Segments (in millions of euros)</caption>
<tr><th></th><th>2024</th><th>2023</th></tr>
<tr><td>Cloud</td><td>880</td><td>702</td></tr>
</table>

Devices shrank.""").text
    assert text.split("\n\n") == [
        "Lanting grew fast last year.",
        "Segments — Cloud (in millions of euros): 2024 is 880; 2023 is 702.",
        "Devices shrank.",
    ]


def test_first_body_rows_without_figures_become_header_rows():
    table = markdown_table("""
|  | December 31, |  |
|---|---|---|
|  | 2024 | 2023 |
| Cash | 9,472 | 7,554 |""")
    assert tables.sentences(table) == ["Cash: December 31, 2024 is 9,472; December 31, 2023 is 7,554."]


def test_a_markdown_title_over_several_columns_spans_the_empty_cells_beside_it():
    table = markdown_table("""
|  | Loans granted |  | Loans taken |  |
|---|---|---|---|---|
|  | 2024 | 2023 | 2024 | 2023 |
| Opening balance |  | 7,131 |  | 2,154 |""")
    assert tables.sentences(table) == ["Opening balance: Loans granted 2023 is 7,131; Loans taken 2023 is 2,154."]


def test_a_body_row_of_words_is_not_taken_for_a_header():
    table = markdown_table("""
| Item | Value |
|---|---|
| Chief executive | Lin Wei |
| Staff | 1,204 |""")
    assert tables.sentences(table) == ["Chief executive: Value is Lin Wei.", "Staff: Value is 1,204."]


def test_empty_cells_are_left_out():
    table = markdown_table("""
| Item | 2024 | 2023 | 2022 |
|---|---|---|---|
| Impairment |  | 310 |  |""")
    assert tables.sentences(table) == ["Impairment: 2023 is 310."]


def test_parenthesised_figures_stay_as_written_and_read_as_negative():
    table = markdown_table("""
| ($ in millions) | 2024 | 2023 |
|---|---|---|
| Operating loss | (1,234) | $(5,625) |""")
    sentence, = tables.sentences(table)
    assert sentence == "Operating loss ($ in millions): 2024 is (1,234); 2023 is $(5,625)."
    assert [q.value for q in quantities(sentence) if not q.is_year()] == [-1234, -5625]


def test_footnote_marks_are_dropped_from_labels_and_figures():
    table = html_table("""<table><tr><th></th><th>2024<sup>1</sup></th><th>2023</th></tr>
        <tr><td>Revenue(1)</td><td>1,234 (a)</td><td>1,100*</td></tr>
        <tr><td>Gross profit²</td><td>610†</td><td>(55)</td></tr>
        <tr><td>Other income [3]</td><td>12</td><td>9</td></tr></table>""")
    assert tables.sentences(table) == ["Revenue: 2024 is 1,234; 2023 is 1,100.",
                                       "Gross profit: 2024 is 610; 2023 is (55).",
                                       "Other income: 2024 is 12; 2023 is 9."]


def test_units_line_before_the_table_or_in_its_own_row():
    before = markdown_table("| | 2024 |\n|---|---|\n| Capex | 77 |", before="(RMB million)")
    own_row = markdown_table("| | 2024 |\n|---|---|\n| | in thousands of euros |\n| Capex | 77 |")
    corner = markdown_table("| US$'000 | 2024 |\n|---|---|\n| Capex | 77 |")
    assert tables.sentences(before) == ["Capex (RMB million): 2024 is 77."]
    assert tables.sentences(own_row) == ["Capex (in thousands of euros): 2024 is 77."]
    assert tables.sentences(corner) == ["Capex (US$'000): 2024 is 77."]


def test_a_text_line_before_the_table_that_is_not_units_is_ignored():
    table = markdown_table("| | 2024 |\n|---|---|\n| Capex | 77 |", before="Capital spending rose.")
    assert table.units == ""


def test_section_rows_prefix_the_rows_under_them_until_a_total():
    table = markdown_table("""
| | Q4 2024 |
|---|---|
| Operating expenses: | |
| Research and development | 4,512 |
| Total operating expenses | 9,870 |
| Operating income | 2,210 |""")
    assert tables.sentences(table) == [
        "Operating expenses — Research and development: Q4 2024 is 4,512.",
        "Operating expenses — Total operating expenses: Q4 2024 is 9,870.",
        "Operating income: Q4 2024 is 2,210.",
    ]


def test_an_unlabelled_row_of_figures_is_the_total():
    table = markdown_table("| | 2024 |\n|---|---|\n| Cloud | 880 |\n| Devices | 415 |\n| | 1,295 |")
    assert tables.sentences(table)[-1] == "Total: 2024 is 1,295."


def test_a_header_restated_inside_the_body_names_the_columns_below_it():
    table = markdown_table("""
| | Q1 2024 | Q2 2024 |
|---|---|---|
| High | $91.30 | $87.84 |
| | Q1 2023 | Q2 2023 |
| High | $93.98 | $92.46 |""")
    assert tables.sentences(table) == ["High: Q1 2024 is $91.30; Q2 2024 is $87.84.",
                                       "High: Q1 2023 is $93.98; Q2 2023 is $92.46."]


def test_layout_tables_fall_back_to_their_cell_text():
    one_row = html_table("<table><tr><td>Lanting Daily</td><td>Markets and companies</td></tr></table>")
    one_column = markdown_table("| Contents |\n|---|\n| Results |\n| Outlook |")
    no_figures = markdown_table("| Name | Role |\n|---|---|\n| Lin Wei | Chief executive |")
    for table in (one_row, one_column, no_figures):
        assert tables.is_layout(table)
    assert tables.lines(one_column) == ["Contents", "Results", "Outlook"]
    assert tables.lines(no_figures) == ["Name Role", "Lin Wei Chief executive"]


def test_a_hostile_colspan_is_capped():
    table = html_table('<table><tr><th colspan="99999999">Year</th></tr><tr><td>A</td><td>1</td></tr></table>')
    assert len(table.header_rows[0]) <= 50


def test_html_article_reads_table_rows_as_sentences_in_reading_order():
    html = """<html><head><title>Lanting results</title></head><body><article>
        <p>Lanting reported fourth-quarter results.</p><p>(in millions of yuan)</p>
        <table><tr><th></th><th>Q4 2024</th><th>Q4 2023</th></tr>
        <tr><td>Revenue</td><td>3,410</td><td>2,977</td></tr></table>
        <p>The board proposed a dividend.</p>
        <table><tr><td>Share this story</td><td>Print</td></tr></table></article></body></html>"""
    text = parse(Path("x.html"), html.encode()).text
    assert text.split("\n\n") == [
        "Lanting reported fourth-quarter results.", "(in millions of yuan)",
        "Revenue (in millions of yuan): Q4 2024 is 3,410; Q4 2023 is 2,977.",
        "The board proposed a dividend.", "Share this story", "Print",
    ]


def test_an_article_that_is_mostly_a_table():
    markdown = """---\ntitle: Lanting balance sheet\n---\n
| (RMB'000) | Dec 31, 2024 | Dec 31, 2023 |
|---|---|---|
| Cash | 9,472 | 7,554 |
| Inventories | 12,542 | 9,317 |
"""
    assert parse(Path("x.md"), markdown.encode()).text.splitlines() == [
        "Cash (RMB'000): Dec 31, 2024 is 9,472; Dec 31, 2023 is 7,554.",
        "Inventories (RMB'000): Dec 31, 2024 is 12,542; Dec 31, 2023 is 9,317.",
    ]


def test_a_table_without_a_label_column_names_only_its_columns():
    table = html_table("<table><tr><th>Revenue</th><th>Net profit</th></tr>"
                       "<tr><td>$3.4bn</td><td>$1.0bn</td></tr></table>")
    assert tables.sentences(table) == ["Revenue is $3.4bn; Net profit is $1.0bn."]


def test_a_data_table_inside_a_layout_table_is_read_once_as_sentences():
    html = """<html><body><table><tr><td><p>Lanting results</p>
        <table><tr><th></th><th>2024</th></tr><tr><td>Revenue</td><td>3,410</td></tr>
        <tr><td>Net income</td><td>512</td></tr></table></td><td>Related stories</td></tr></table></body></html>"""
    assert parse(Path("x.html"), html.encode()).text.split("\n\n") == [
        "Lanting results", "Revenue: 2024 is 3,410.\nNet income: 2024 is 512.", "Related stories"]


STATEMENT = """Harlow Foods plc
Consolidated income statement
(in millions of pounds)
Year ended 31 December 2024 2023
Revenue:
Grocery $ 700.1 $ 671.0
Catering 112.3 105.0
Total revenue 812.4 776.0
Operating costs (690.2) (661.9)
Operating profit 122.2 114.1
Revenue grew 4.7 percent in 2024, the board said on 3 March 2025."""


@pytest.mark.unit
def test_a_table_laid_out_in_text_lines_becomes_row_sentences():
    lines = tables.text_layout(STATEMENT).split("\n")
    assert lines[:4] == STATEMENT.split("\n")[:4]  # title, units and header lines stay as they were
    assert "Revenue — Grocery (in millions of pounds): 2024 is $700.1; 2023 is $671.0." in lines
    assert "Revenue — Total revenue (in millions of pounds): 2024 is 812.4; 2023 is 776.0." in lines
    assert "Operating costs (in millions of pounds): 2024 is (690.2); 2023 is (661.9)." in lines
    assert lines[-1] == STATEMENT.split("\n")[-1]  # prose with figures is prose


@pytest.mark.unit
def test_columns_named_by_dates_and_short_runs_left_alone():
    text = "Three months ended June 30, 2024 June 30, 2023\nSales 10.5 9.8\nCosts 4.1 3.9\nProfit 6.4 5.9"
    assert tables.text_layout(text).split("\n")[1] == "Sales: June 30, 2024 is 10.5; June 30, 2023 is 9.8."
    two_rows = "Sales 10.5 9.8\nCosts 4.1 3.9\nThe rest is prose."
    assert tables.text_layout(two_rows) == two_rows
    years_only = "Founded 1998 2001\nMerged 2004 2009\nListed 2011 2015"
    assert tables.text_layout(years_only) == years_only


@pytest.mark.unit
def test_a_statement_header_names_every_block_of_rows_below_it_with_its_units():
    text = ("Consolidated Statement of Cash Flows\n(Millions) 2018 2017 2016\nCash Flows from Operating Activities\n"
            "Net income $5,363 $4,869 $5,058\n"
            "Adjustments to reconcile net income including noncontrolling interest to net cash from operations, a long line\n"
            "provided by operating activities\nDepreciation 1,488 1,544 1,474\nDeferred taxes (57) 107 7\n"
            "Other net 120 256 76\nPurchases of PP&E (1,577) (1,373) (1,420)")
    lines = tables.text_layout(text).split("\n")
    assert "Purchases of PP&E (Millions): 2018 is (1,577); 2017 is (1,373); 2016 is (1,420)." in lines
    assert "Depreciation (Millions): 2018 is 1,488; 2017 is 1,544; 2016 is 1,474." in lines
