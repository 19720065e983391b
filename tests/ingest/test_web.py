"""Web pages by URL, served for real on 127.0.0.1: the article body without the page around it, unchanged
pages skipped, changed ones replaced on --refresh, bad URLs a one-line warning. Pages written for these tests."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import run_qa, write
from qa.ingest.web import parse_page

PAGE = """<html><head><title>Harlow Foods sales rise | Example News</title>
<meta property="og:site_name" content="Example News">
<link rel="canonical" href="http://127.0.0.1/harlow-sales">
<meta property="article:published_time" content="2025-03-14T08:00:00Z"></head>
<body><nav>Home | Markets | Sign in</nav><div id="cookies">We use cookies to improve your visit. Accept all</div>
<article><h1>Harlow Foods sales rise</h1>
<p>Harlow Foods said on Friday that revenue for 2024 rose to {revenue} million pounds, helped by new stores in the
north of England and strong demand for its own-label ranges.</p>
<p>The grocer expects to open twelve more stores in 2025, its chief executive said in a statement.</p>
<table><tr><th>Segment</th><th>2024</th><th>2023</th></tr><tr><td>Food</td><td>612.1</td><td>590.0</td></tr></table>
</article><footer>Advertise with us. Copyright Example News.</footer></body></html>"""


@pytest.fixture
def site(tmp_path):
    """A real HTTP server on a free loopback port serving tmp_path/site; ``/to-file`` redirects to file:."""
    root = tmp_path / "site"
    root.mkdir()

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/to-file":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.unit
def test_the_article_body_comes_without_menus_banners_or_footers():
    article = parse_page("http://127.0.0.1/x", PAGE.format(revenue="812.4").encode())
    assert "812.4 million pounds" in article.text and "Food: 2024 is 612.1; 2023 is 590.0." in article.text
    assert not any(noise in article.text for noise in ("cookies", "Sign in", "Advertise"))
    assert (article.title, article.date, article.source) == ("Harlow Foods sales rise", "2025-03-14", "Example News")
    assert article.url == "http://127.0.0.1/harlow-sales"


def test_ingest_urls_skip_unchanged_replace_changed_and_warn_on_bad_ones(site, tmp_path):
    root, base = site
    (root / "harlow.html").write_text(PAGE.format(revenue="812.4"))
    index = tmp_path / "index"
    first = run_qa("ingest", f"{base}/harlow.html", f"{base}/missing.html", f"{base}/to-file",
                   "http://127.0.0.1:9/closed", "--index", str(index))
    assert first.returncode == 0, first.stderr
    assert "1 added" in first.stdout and "3 skipped" in first.stdout
    warnings = [line for line in first.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 3 and any("HTTP 404" in w for w in warnings), warnings
    assert all("Traceback" not in w for w in warnings)

    again = run_qa("ingest", f"{base}/harlow.html", "--index", str(index))
    assert "1 unchanged" in again.stdout

    (root / "harlow.html").write_text(PAGE.format(revenue="815.0"))
    refreshed = run_qa("ingest", "--refresh", "--index", str(index))
    assert "1 updated" in refreshed.stdout, refreshed.stdout + refreshed.stderr
    (top,) = json.loads(run_qa("search", "Harlow Foods revenue", "--index", str(index), "--json", "-k", "1").stdout)
    assert "815.0 million pounds" in top["text"] and top["path"] == f"{base}/harlow.html"
    assert top["url"] == "http://127.0.0.1/harlow-sales" and top["source"] == "Example News"


def test_a_url_list_with_a_line_that_is_not_a_url_is_a_one_line_error(tmp_path):
    urls = write(tmp_path, "urls.txt", "# filings\nhttp://127.0.0.1:9/a\nftp://example.org/b\n")
    result = run_qa("ingest", "--urls", str(urls), "--index", str(tmp_path / "index"))
    assert result.returncode == 2 and "not an http(s) URL: ftp://example.org/b" in result.stderr
    assert "Traceback" not in result.stderr
