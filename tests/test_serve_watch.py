"""``qa serve --watch`` for real on loopback, with the fake model (no LLM to load): the index follows the folder
without a restart while questions keep being answered, and the open web page shows the new article count."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from conftest import article, free_port, run_qa, write
from test_serve import Server, launched_chromium

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-watch")
    docs = root / "docs"
    write(docs, "acme.md", article("Acme orders zeppelins", "Acme Aerospace ordered twelve zeppelins in March."))
    server = Server(root / "idx", "--watch", str(docs), "--llm", "fake")
    yield server, docs
    log = server.stop()
    assert "Traceback" not in log, log


def health(server) -> dict:
    return httpx.get(f"{server.base}/health", timeout=30).json()


def found(server, query: str) -> list[str]:
    passages = httpx.post(f"{server.base}/v1/search", json={"query": query, "k": 3}, timeout=60).json()
    return [p["path"].rsplit("/", 1)[-1] for p in passages]


def eventually(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the served index did not follow the folder"
        time.sleep(0.2)


def test_the_served_index_follows_the_folder_while_questions_are_answered(served):
    server, docs = served
    assert health(server)["watching"] is True
    start = health(server)["articles"]
    statuses, stop = [], threading.Event()

    def keep_asking() -> None:  # answers and searches all along: none may fail while batches swap the index
        while not stop.is_set():
            statuses.append(httpx.post(f"{server.base}/v1/ask", json={"question": "Who ordered zeppelins?"},
                                       timeout=60).status_code)
            statuses.append(httpx.post(f"{server.base}/v1/search", json={"query": "nickel mine"},
                                       timeout=60).status_code)

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        write(docs, "borealis.md", article("Borealis mines", "Borealis Mining opened a nickel mine in Quebec."))
        eventually(lambda: health(server)["articles"] == start + 1)
        assert found(server, "nickel mine Quebec")[0] == "borealis.md"

        write(docs, "acme.md", article("Acme orders airships", "Acme Aerospace cancelled its airship order."))
        eventually(lambda: found(server, "Acme airship order cancelled")[0] == "acme.md")

        (docs / "borealis.md").rename(docs / "nickel.md")
        eventually(lambda: found(server, "nickel mine Quebec")[0] == "nickel.md")
        assert "borealis.md" not in found(server, "nickel mine Quebec")

        (docs / "nickel.md").unlink()
        eventually(lambda: health(server)["articles"] == start)
        assert "nickel.md" not in found(server, "nickel mine Quebec")
    finally:
        stop.set()
        asking.join()
    assert statuses and set(statuses) == {200}, statuses


def test_the_open_web_page_shows_the_new_article_count(served):
    server, docs = served
    with launched_chromium() as browser:
        page = browser.new_page()
        page.goto(server.base)
        count = health(server)["articles"]
        page.wait_for_function(f"document.querySelector('#health').textContent.includes('{count} articles')")
        write(docs, "cobalt.md", article("Cobalt lithium", "Cobalt Metals doubled its lithium output in Chile."))
        page.wait_for_function(f"document.querySelector('#health').textContent.includes('{count + 1} articles')",
                               timeout=60_000)
        assert "watching" in page.inner_text("#health")


def test_a_folder_that_cannot_be_watched_is_a_one_line_error(tmp_path):
    result = run_qa("serve", "--port", str(free_port()), "--index", str(tmp_path / "idx"), "--llm", "fake",
                    "--watch", str(tmp_path / "missing"))
    assert result.returncode == 2 and "cannot watch" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
