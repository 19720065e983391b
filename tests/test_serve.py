"""``qa serve`` started for real on a free loopback port with the default local model, called through the
official openai SDK and through httpx: answers with citations, a stream, a refusal, a follow-up, the key,
the queue, and uploads that try to be too big or to write outside the index."""

from contextlib import contextmanager
import os
import shutil
import subprocess
import threading
import time

import httpx
import pytest

from conftest import QA_BIN, free_port, run_qa
from qa.answering.prompts import REFUSAL

pytestmark = pytest.mark.slow
QUESTION = "What was Alibaba's net income in the quarter ended December 2024?"


class Server:
    def __init__(self, index, *args: str, env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([QA_BIN, "serve", "--port", str(self.port), "--index", str(index), *args],
                                        env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                httpx.get(f"{self.base}/health", timeout=2)
                return
            except httpx.HTTPError:
                assert self.process.poll() is None, self.process.stderr.read()
                time.sleep(0.3)
        raise AssertionError("qa serve did not start")

    def stop(self) -> str:
        self.process.terminate()
        return self.process.communicate(timeout=30)[1]


@pytest.fixture(scope="module")
def server(index_copy):
    server = Server(index_copy)
    yield server
    log = server.stop()
    assert "Authorization" not in log


def client(server):
    from openai import OpenAI

    return OpenAI(base_url=f"{server.base}/v1", api_key="unused-on-loopback")


def test_the_openai_sdk_gets_an_answer_with_citations(server):
    reply = client(server).chat.completions.create(model="qa", messages=[{"role": "user", "content": QUESTION}])
    text = reply.choices[0].message.content
    assert "48.9 billion yuan" in text and "[1]" in text
    extra = reply.model_extra
    assert extra["refused"] is False and extra["citations"][0]["n"] == 1
    assert "december-quarter-2024" in extra["citations"][0]["path"]
    assert [m.id for m in client(server).models.list().data] == ["qa"]


def test_a_stream_carries_the_checked_answer_and_ends_with_the_citations(server):
    chunks = list(client(server).chat.completions.create(
        model="qa", stream=True, messages=[{"role": "user", "content": QUESTION}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "48.9 billion yuan" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.model_extra["citations"]
    assert last.model_extra["refused"] is False


def test_a_refusal_is_a_refusal(server):
    reply = client(server).chat.completions.create(
        model="qa", messages=[{"role": "user", "content": "How many subscribers did Netflix add in 2024?"}])
    assert reply.choices[0].message.content == REFUSAL and reply.model_extra["refused"] is True
    assert reply.model_extra["citations"] == []


def test_a_follow_up_uses_the_conversation(server):
    reply = client(server).chat.completions.create(model="qa", messages=[
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "Alibaba's net income was 48.9 billion yuan in that quarter [1]."},
        {"role": "user", "content": "And what was its revenue in that quarter?"},
    ])
    assert "280.2 billion yuan" in reply.choices[0].message.content


def test_search_and_ask_take_the_cli_filters(server):
    found = httpx.post(f"{server.base}/v1/search", json={"query": "Tencent revenue", "k": 3,
                                                          "source": "no-such-source"}, timeout=60).json()
    assert found == []
    answer = httpx.post(f"{server.base}/v1/ask", json={"question": QUESTION}, timeout=300).json()
    assert "48.9 billion yuan" in answer["answer"] and answer["citations"][0]["n"] == 1
    schema = httpx.get(f"{server.base}/openapi.json").json()
    assert {"ChatRequest", "AskRequest", "SearchRequest"} <= set(schema["components"]["schemas"])


def test_uploads_stay_in_the_index_and_oversized_ones_are_refused(server, index_copy):
    note = b"---\ntitle: Harlow Foods opens stores\ndate: 2025-03-01\n---\nHarlow Foods opened nine stores.\n"
    sneaky = httpx.post(f"{server.base}/v1/ingest", files=[("files", ("../../escaped.md", note))], timeout=300)
    assert sneaky.status_code == 200, sneaky.text
    assert sneaky.json()["added"] == ["uploads/escaped.md"]  # relative to the index: no server paths
    assert (index_copy / "uploads" / "escaped.md").is_file()
    assert not (index_copy.parent.parent / "escaped.md").exists()
    dotted = httpx.post(f"{server.base}/v1/ingest", files=[("files", ("..", note))], timeout=60)
    assert dotted.status_code == 400 and "upload .md" in dotted.json()["error"]["message"]
    huge = httpx.post(f"{server.base}/v1/ingest", files=[("files", ("big.md", b"x" * (51 * 2**20)))], timeout=60)
    assert huge.status_code == 413


def test_a_full_queue_answers_503_with_retry_after(index_copy):
    server = Server(index_copy, "--queue", "0")
    try:
        slow = threading.Thread(target=lambda: httpx.post(
            f"{server.base}/v1/ask", json={"question": QUESTION}, timeout=300))
        slow.start()
        time.sleep(0.5)
        busy = httpx.post(f"{server.base}/v1/ask", json={"question": QUESTION}, timeout=60)
        assert busy.status_code == 503 and busy.headers["Retry-After"]
        slow.join()
        assert httpx.post(f"{server.base}/v1/ask", json={"question": QUESTION}, timeout=300).status_code == 200
    finally:
        server.stop()


def test_any_address_but_loopback_needs_a_key_and_requests_without_it_get_401(index_copy):
    refused = run_qa("serve", "--host", "0.0.0.0", "--port", str(free_port()), "--index", str(index_copy),
                     env={"QA_API_KEY": ""})
    assert refused.returncode == 2 and "set QA_API_KEY" in refused.stderr
    server = Server(index_copy, "--host", "0.0.0.0", env={"QA_API_KEY": "s3cret-key"})
    try:
        assert httpx.get(f"{server.base}/v1/models").status_code == 401
        assert httpx.get(f"{server.base}/v1/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = httpx.get(f"{server.base}/v1/models", headers={"Authorization": "Bearer s3cret-key"})
        assert ok.status_code == 200
    finally:
        assert "s3cret-key" not in server.stop()


@contextmanager
def launched_chromium():
    """Debian's Chromium through playwright (its own browser download needs the net), closed afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Chromium is not installed (scripts/setup installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def test_the_web_page_streams_an_answer_and_opens_a_citation_on_its_passage(server):
    """In headless Chromium: ask, see the answer, click [1], see the passage with the figure marked."""
    with launched_chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 800})  # a phone's width
        page.goto(server.base)
        page.fill("#q", QUESTION)
        page.press("#q", "Enter")
        page.wait_for_selector("button.cite", timeout=300_000)
        assert "48.9 billion yuan" in page.inner_text("#turns")
        page.click("button.cite")
        panel = page.wait_for_selector("section.panel")
        marked = page.locator("section.panel mark").all_inner_texts()
        assert "48.9" in panel.inner_text() and "48.9" in marked, marked


def test_the_web_pages_stop_button_cancels_and_the_next_question_is_answered(server):
    """In headless Chromium: ask, press Stop while the answer is on its way, ask again at once: the server is
    still up and the second question gets its answer."""
    with launched_chromium() as browser:
        page = browser.new_page()
        page.goto(server.base)
        for _ in range(2):  # twice: the second Stop comes while the first cancelled answer may still run
            page.fill("#q", QUESTION)
            page.press("#q", "Enter")
            page.wait_for_function("document.querySelector('#send').textContent === 'Stop'")
            page.wait_for_timeout(1500)  # mid-answer
            page.click("#send")
            page.wait_for_function("document.querySelector('#send').textContent === 'Ask'")
        page.fill("#q", QUESTION)
        page.press("#q", "Enter")
        page.wait_for_selector("button.cite", timeout=300_000)
        assert "billion yuan" in page.inner_text("#turns")
        assert server.process.poll() is None
    assert httpx.get(f"{server.base}/health", timeout=10).json()["status"] == "ok"
