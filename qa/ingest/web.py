"""Web pages by URL: fetched within limits, then read by ``qa.ingest.html`` like a saved page (the article
body without menus, ads and cookie banners; title, date, site name and canonical URL from the page's metadata).
An unreachable or oversized page raises ``SkipFile``: one warning, and the rest of the ingest goes on.
"""

from __future__ import annotations

import re

from . import html
from .article import Article
from .documents import SkipFile, content_hash

MAX_PAGE_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


def is_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


def fetch(url: str) -> tuple[bytes, str]:
    """The page's bytes and the URL it ended at. Redirects are followed only to http(s) (httpx knows no other
    scheme, so file: and the like fail as unreachable); the body is cut off past ``MAX_PAGE_BYTES``."""
    import httpx

    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=TIMEOUT_SECONDS,
                          headers={"User-Agent": "qa (article question answering)"}) as client:
            with client.stream("GET", url) as response:
                response.raise_for_status()
                body, size = [], 0
                for part in response.iter_bytes():
                    size += len(part)
                    if size > MAX_PAGE_BYTES:
                        raise SkipFile(f"larger than {MAX_PAGE_BYTES // 2**20} MB")
                    body.append(part)
                return b"".join(body), str(response.url)
    except httpx.HTTPStatusError as exc:
        raise SkipFile(f"unreachable (HTTP {exc.response.status_code})") from None
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
        raise SkipFile(f"unreachable ({type(exc).__name__}: {str(exc)[:80]})") from None


def read(url: str) -> Article:
    """The article at ``url``: its body with tables read, and its metadata. ``sha256`` is of the extracted text,
    so a page whose ads or clock changed but whose article did not counts as unchanged."""
    data, final = fetch(url)
    return parse_page(url, data, final)


def parse_page(url: str, data: bytes, final: str | None = None) -> Article:
    article = html.read(data.decode("utf-8", errors="replace"), url, url=final or url)
    if not article.text:
        raise SkipFile("no article text found on the page")
    article.sha256 = content_hash(article.text.encode("utf-8"))
    return article
