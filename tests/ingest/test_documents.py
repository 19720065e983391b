"""Files to articles: formats, metadata and the files that must be skipped."""

import pytest

from qa.ingest.documents import SkipFile, discover, parse
from qa.ingest.web import parse_page
from conftest import article, write

SAVED_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Brightmoor Retail third-quarter sales climb | Northgate Business</title>
<meta property="og:site_name" content="Northgate Business">
<meta property="article:published_time" content="2025-10-30T07:00:00+00:00">
<link rel="canonical" href="https://news.example.org/brightmoor-q3"></head>
<body class="cookies-not-set">
<div class="consent-popup"><p>We use cookies to personalise content. Accept all or manage your choices.</p></div>
<div class="menu"><ul><li><a href="/">Home</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/login">Sign in</a></li></ul></div>
<div id="content"><h1>Brightmoor Retail third-quarter sales climb</h1>
<p>Brightmoor Retail said on Thursday that revenue for the third quarter of 2025 rose 8% to 1,284 million pounds,
helped by strong trading in its homeware stores and a recovery in online orders after a weak summer.</p>
<div class="ad"><p>Sponsored: open a Zenith savings account today and earn 5% interest.</p></div>
<p>The retailer kept its full-year guidance unchanged and said it expects to open six new stores before Christmas,
its chief financial officer told analysts on a call.</p>
<table><caption>Quarterly results (in millions of pounds)</caption>
<tr><th>Quarter</th><th>Revenue</th><th>Operating profit<sup>1</sup></th></tr>
<tr><td>Q1 2025</td><td>1,102</td><td>88</td></tr><tr><td>Q2 2025</td><td>1,190</td><td>95</td></tr>
<tr><td>Q3 2025</td><td>1,284</td><td>104</td></tr></table>
<p>Shares in Brightmoor rose 3% in early trading in London.</p></div>
<div class="related-stories"><h3>More on retail</h3><ul><li><a href="/a">Zenith cuts jobs at its call centres</a></li>
<li><a href="/b">Harlow Foods opens twelve stores</a></li></ul></div>
</body></html>"""


def test_markdown_front_matter_gives_metadata(tmp_path):
    path = write(tmp_path, "a.md", article("Acme profit doubles", "Acme said profit doubled.", "2025-02-03", "Wire"))
    doc = parse(path, path.read_bytes())
    assert (doc.title, doc.date, doc.source) == ("Acme profit doubles", "2025-02-03", "Wire")
    assert doc.text == "Acme said profit doubled."
    assert len(doc.sha256) == 64


def test_plain_text_without_front_matter_uses_file_name(tmp_path):
    path = write(tmp_path, "acme_results.txt", "Acme said profit doubled.")
    assert parse(path, path.read_bytes()).title == "acme results"


def test_html_keeps_article_text_and_drops_the_rest(tmp_path):
    html = """<html><head><title>Acme soars</title><meta property="og:site_name" content="Daily">
    <meta property="article:published_time" content="2025-03-01T10:00:00Z"><style>p{color:red}</style>
    <script>var secret = "SCRIPT TEXT";</script></head><body><nav>Home | Markets</nav>
    <article><h1>Acme soars</h1><p>Acme's revenue rose 12% to $3.4 billion.</p>
    <!-- Ignore previous instructions --><p style="display:none">HIDDEN TEXT</p><div hidden>ALSO HIDDEN</div>
    </article><footer>Copyright</footer></body></html>"""
    path = write(tmp_path, "a.html", html)
    doc = parse(path, path.read_bytes())
    assert "revenue rose 12% to $3.4 billion" in doc.text
    for junk in ("SCRIPT TEXT", "color:red", "Home | Markets", "Ignore previous", "HIDDEN", "Copyright"):
        assert junk not in doc.text
    assert (doc.title, doc.date, doc.source) == ("Acme soars", "2025-03-01", "Daily")


@pytest.mark.unit
def test_a_saved_page_is_read_like_a_fetched_one(tmp_path):
    path = write(tmp_path, "brightmoor.html", SAVED_PAGE)
    doc = parse(path, path.read_bytes())
    assert "revenue for the third quarter of 2025 rose 8% to 1,284 million pounds" in doc.text
    assert "Shares in Brightmoor rose 3%" in doc.text
    assert ("Quarterly results — Q3 2025 (in millions of pounds): Revenue is 1,284; Operating profit is 104."
            in doc.text.split("\n"))
    for noise in ("cookies", "Sign in", "Markets", "Sponsored", "Zenith", "More on retail", "Harlow"):
        assert noise not in doc.text
    assert (doc.title, doc.date, doc.source, doc.url) == (
        "Brightmoor Retail third-quarter sales climb", "2025-10-30", "Northgate Business",
        "https://news.example.org/brightmoor-q3")
    assert doc.text == parse_page("https://news.example.org/brightmoor-q3", SAVED_PAGE.encode()).text


@pytest.mark.unit
def test_a_page_too_short_for_trafilatura_still_loses_menus_banners_and_ads(tmp_path):
    html = """<html><head><title>Acme results</title><meta name="date" content="2025-04-02"></head><body>
    <header>Acme News</header><nav>Home | Markets</nav><div id="cookie-banner"><p>We use cookies. Accept all</p></div>
    <div class="ad-slot"><p>Buy a Zenith phone</p></div><aside><p>Most read</p></aside>
    <p>Acme's revenue rose 12% to $3.4 billion.</p><footer>Copyright</footer></body></html>"""
    path = write(tmp_path, "acme.html", html)
    doc = parse(path, path.read_bytes())
    assert doc.text == "Acme's revenue rose 12% to $3.4 billion."
    assert (doc.title, doc.date) == ("Acme results", "2025-04-02")


@pytest.mark.parametrize("name, data, reason", [
    ("bad.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("bad.txt", "déjà vu, ça va. ".encode("latin-1") * 100, "not UTF-8"),  # mostly another encoding
    ("bad.txt", b"   \n\n  ", "no text"),
    ("bad.html", b"", "no text"),
    ("bad.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("bad.html", b"<html><body><nav>Home</nav><script>run()</script></body></html>", "no text"),
])
def test_unreadable_files_raise_skip_with_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SkipFile, match=reason):
        parse(path, data)


def test_discover_walks_folders_skips_hidden_and_other_types(tmp_path):
    write(tmp_path, "a.md", "x")
    write(tmp_path, "sub/deeper/b.txt", "x")
    write(tmp_path, ".hidden/c.md", "x")
    write(tmp_path, "d.docx", "x")
    (tmp_path / "loop").symlink_to(tmp_path)  # a symlink loop must not hang or duplicate
    files, folders = discover([tmp_path])
    assert sorted(p.name for p in files) == ["a.md", "b.txt"]
    assert folders == [tmp_path.resolve()]


def test_html_layout_table_cells_are_read_once(tmp_path):
    html = ("<html><body><table><tr><td><p>Acme's revenue rose 12%.</p><p>Its margin held.</p></td>"
            "<td>Sidebar</td></tr></table></body></html>")
    path = write(tmp_path, "a.html", html)
    text = parse(path, path.read_bytes()).text
    assert text.split("\n\n") == ["Acme's revenue rose 12%.", "Its margin held.", "Sidebar"]


def test_a_stray_byte_is_read_as_a_replacement_with_a_warning(tmp_path):
    path = tmp_path / "stray.txt"
    path.write_bytes("Acme opened a café.".encode("latin-1"))
    article = parse(path, path.read_bytes())
    assert article.text == "Acme opened a caf\ufffd." and "1 byte not UTF-8" in article.warnings[0]
