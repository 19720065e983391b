"""``qa serve`` under abuse, started for real on loopback with the default local model: at least 30 bad requests,
each with the status it must get and no traceback in the log; clients that hang up mid-stream and while queued;
SIGTERM; bad ports and model paths before the model loads; and a short soak."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import QA_BIN, ROOT, free_port, run_qa

pytestmark = pytest.mark.slow
QUESTION = "What was Alibaba's net income in the quarter ended December 2024?"
CHAT = "/v1/chat/completions"


class Server:
    """``qa serve`` in a subprocess, its log in a file (a pipe could fill up and stall it)."""

    def __init__(self, index: Path, log: Path, *args: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen([QA_BIN, "serve", "--port", str(self.port), "--index", str(index), *args],
                                        stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        deadline = time.time() + 180
        while time.time() < deadline:
            assert self.process.poll() is None, self.text()
            try:
                httpx.get(f"{self.base}/health", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise AssertionError("qa serve did not start")

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 60) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@pytest.fixture(scope="module")
def server(index_copy, tmp_path_factory):
    server = Server(index_copy, tmp_path_factory.mktemp("logs") / "serve.log", "--queue", "4")
    yield server
    if server.alive():
        assert server.stop() is not None
    assert "Traceback" not in server.text(), server.text()[-3000:]


def ask(server, question=QUESTION, timeout=300):
    return httpx.post(f"{server.base}/v1/ask", json={"question": question}, timeout=timeout)


def answered(response) -> bool:
    """A whole answer to QUESTION from the article that holds it. Whether the figure is right is the answer engine's
    business (tests/test_serve.py and the eval check it); here what counts is that the server answers at all."""
    if response.status_code != 200:
        return False
    body = response.json()
    return bool(body["answer"]) and any("alibaba-december-quarter-2024" in c["path"] for c in body["citations"])


def chunked(data: bytes, size: int = 65536):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def user(content):
    return {"messages": [{"role": "user", "content": content}]}


MB = 2**20
BAD = [  # (name, method, path, httpx keyword arguments, expected status)
    ("empty object", "POST", CHAT, {"json": {}}, 422),
    ("no messages", "POST", CHAT, {"json": {"messages": []}}, 422),
    ("no user message", "POST", CHAT, {"json": {"messages": [{"role": "system", "content": "hi"}]}}, 400),
    ("unknown role", "POST", CHAT, {"json": {"messages": [{"role": "wizard", "content": "hi"}]}}, 422),
    ("content is a number", "POST", CHAT, {"json": user(123)}, 422),
    ("content part text is a number", "POST", CHAT, {"json": user([{"type": "text", "text": 123}])}, 422),
    ("content part is a string", "POST", CHAT, {"json": user(["hi"])}, 422),
    ("content part without type", "POST", CHAT, {"json": user([{"text": "hi"}])}, 422),
    ("only an image part", "POST", CHAT, {"json": user([{"type": "image_url", "image_url": {"url": "x"}}])}, 400),
    ("stream is a list", "POST", CHAT, {"json": {**user("hi"), "stream": [1]}}, 422),
    ("filters is a string", "POST", CHAT, {"json": {**user(QUESTION), "filters": "recent"}}, 422),
    ("chat: since notadate", "POST", CHAT, {"json": {**user(QUESTION), "filters": {"since": "notadate"}}}, 400),
    ("streamed chat: since 2025-02-30", "POST", CHAT,
     {"json": {**user(QUESTION), "stream": True, "filters": {"since": "2025-02-30"}}}, 400),
    ("not JSON", "POST", CHAT, {"content": b"{", "headers": {"content-type": "application/json"}}, 422),
    ("JSON array", "POST", CHAT, {"json": []}, 422),
    ("invalid UTF-8 in JSON", "POST", CHAT,
     {"content": b'{"messages":[{"role":"user","content":"\xff\xfe"}]}', "headers": {"content-type": "application/json"}},
     (400, 422)),
    ("JSON nested 100,000 deep", "POST", CHAT,
     {"content": b"[" * 100_000 + b"]" * 100_000, "headers": {"content-type": "application/json"}}, (400, 422)),
    ("gzip body not decoded", "POST", CHAT,
     {"content": b"\x1f\x8b\x08\x00garbage", "headers": {"content-type": "application/json",
                                                          "content-encoding": "gzip"}}, (400, 422)),
    ("question is a form", "POST", "/v1/ask", {"data": {"question": QUESTION}}, 422),
    ("empty question", "POST", "/v1/ask", {"json": {"question": ""}}, 400),
    ("question of control characters", "POST", "/v1/ask", {"json": {"question": "\x01\x02\x1b"}}, 400),
    ("question too long", "POST", "/v1/ask", {"json": {"question": "why " * 1000}}, 400),
    ("question is a list", "POST", "/v1/ask", {"json": {"question": ["a"]}}, 422),
    ("ask: since notadate", "POST", "/v1/ask", {"json": {"question": QUESTION, "since": "notadate"}}, 400),
    ("ask: since 2025-02-30", "POST", "/v1/ask", {"json": {"question": QUESTION, "since": "2025-02-30"}}, 400),
    ("search: until 2025-13", "POST", "/v1/search", {"json": {"query": "Alibaba", "until": "2025-13"}}, 400),
    ("search: since is a number", "POST", "/v1/search", {"json": {"query": "Alibaba", "since": 2025}}, 422),
    ("search: k 0", "POST", "/v1/search", {"json": {"query": "Alibaba", "k": 0}}, 422),
    ("search: k 1000", "POST", "/v1/search", {"json": {"query": "Alibaba", "k": 1000}}, 422),
    ("search: k many", "POST", "/v1/search", {"json": {"query": "Alibaba", "k": "many"}}, 422),
    ("search: no query", "POST", "/v1/search", {"json": {"k": 3}}, 422),
    ("2 MB JSON with Content-Length", "POST", CHAT, {"json": user("x" * (2 * MB))}, 413),
    ("2 MB JSON chunked", "POST", CHAT,
     {"content": chunked(b'{"messages":[{"role":"user","content":"' + b"x" * (2 * MB) + b'"}]}'),
      "headers": {"content-type": "application/json"}}, 413),
    ("2 MB search chunked", "POST", "/v1/search",
     {"content": chunked(b'{"query":"' + b"y" * (2 * MB) + b'"}'), "headers": {"content-type": "application/json"}},
     413),
    ("upload .exe", "POST", "/v1/ingest", {"files": [("files", ("tool.exe", b"MZ"))]}, 400),
    ("upload named ..", "POST", "/v1/ingest", {"files": [("files", ("..", b"text"))]}, 400),
    ("upload hidden name", "POST", "/v1/ingest", {"files": [("files", (".env.md", b"text"))]}, 400),
    ("upload of 30 MB text", "POST", "/v1/ingest", {"files": [("files", ("big.md", b"a " * (15 * MB)))]}, 413),
    ("upload without files", "POST", "/v1/ingest", {"json": {"files": []}}, 422),
    ("upload not multipart", "POST", "/v1/ingest", {"content": b"hello", "headers": {"content-type": "text/plain"}},
     (400, 422)),
    ("upload with a broken boundary", "POST", "/v1/ingest",
     {"content": b"--x\r\ngarbage", "headers": {"content-type": "multipart/form-data; boundary=x"}}, (400, 422)),
    ("upload of an empty file", "POST", "/v1/ingest", {"files": [("files", ("empty.md", b""))]}, 400),
    ("unknown path", "GET", "/v1/nothing", {}, 404),
    ("GET on chat", "GET", CHAT, {}, 405),
]


def test_there_are_at_least_30_bad_requests():
    assert len(BAD) >= 30


@pytest.mark.parametrize("name, method, path, kwargs, expected", BAD, ids=[b[0] for b in BAD])
def test_a_bad_request_gets_its_4xx_and_no_traceback(server, name, method, path, kwargs, expected):
    before = server.text()
    response = httpx.request(method, server.base + path, timeout=120, **kwargs)
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,)), response.text[:300]
    if response.headers.get("content-type", "").startswith("application/json") and response.status_code != 404:
        message = response.json()["error"]["message"]
        assert message and "\n" not in message
    time.sleep(0.2)
    added = server.text()[len(before):]
    assert "Traceback" not in added and " ERROR" not in added, added
    assert server.alive()


def test_chunked_uploads_over_the_cap_are_refused_and_leave_nothing_behind(server, index_copy):
    uploads = index_copy / "uploads"
    before = set(uploads.iterdir()) if uploads.exists() else set()
    boundary = "soakboundary"

    def body():
        for name in ("one.md", "two.md"):  # 2 x 30 MB, sent chunked: no Content-Length to trust
            yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                   "Content-Type: text/markdown\r\n\r\n").encode()
            for _ in range(30):
                yield b"z " * (MB // 2)
            yield b"\r\n"
        yield f"--{boundary}--\r\n".encode()

    response = httpx.post(f"{server.base}/v1/ingest", content=body(), timeout=120,
                          headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    after = set(uploads.iterdir()) if uploads.exists() else set()
    assert after == before


def test_the_same_upload_under_three_names_is_indexed_once(server):
    note = b"---\ntitle: Harlow Foods opens stores\ndate: 2025-03-01\n---\nHarlow Foods opened 17 stores in Leeds.\n"
    files = [("files", (f"harlow-{n}.md", note)) for n in range(3)]
    report = httpx.post(f"{server.base}/v1/ingest", files=files, timeout=300).json()
    assert report["added"] == ["uploads/harlow-0.md"]
    assert [reason for _, reason in report["skipped"]] == ["same content as uploads/harlow-0.md; indexed once"] * 2 \
        or all("same content" in reason for _, reason in report["skipped"])
    found = httpx.post(f"{server.base}/v1/search", json={"query": "Harlow Foods stores Leeds", "k": 5}).json()
    assert sum("Harlow" in p["title"] for p in found) == 1
    assert found[0]["path"] == "uploads/harlow-0.md"


def test_citations_carry_paths_relative_to_the_index_roots(server):
    response = ask(server)
    assert answered(response), response.text[:500]
    answer = response.json()
    paths = [c["path"] for c in answer["citations"]]
    assert paths and all(not p.startswith("/") for p in paths), paths
    assert any(p.startswith("2025-02-20-alibaba-december-quarter-2024") for p in paths), paths


def stream_then_hang_up(server, after_first_chunk: float = 0.0, question: str = QUESTION):
    body = {"model": "qa", "stream": True, "messages": [{"role": "user", "content": question}]}
    with httpx.stream("POST", f"{server.base}{CHAT}", json=body, timeout=60) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data:"):
                break
        time.sleep(after_first_chunk)
    # leaving the block closes the connection


@pytest.mark.parametrize("delay", [0.0, 1.5, 3.0])
def test_a_client_that_hangs_up_mid_stream_does_not_harm_the_next(server, delay):
    stream_then_hang_up(server, delay)
    again = ask(server)  # at once
    assert answered(again), again.text[:500]
    assert server.alive()


def test_hang_ups_in_a_row_then_an_answer(server):
    for _ in range(4):
        stream_then_hang_up(server, 0.3)
    assert answered(ask(server)) and server.alive()


def test_a_request_that_hangs_up_while_queued_does_not_leak_the_model(server):
    """Two requests wait behind a running answer and go away: a stream and a plain request. The first asks a
    question no earlier test asked, so the model's prompt cache cannot make it finish before they queue; on a fast
    machine the plain one may still be answered within its second, which is no failure: what matters is the
    model afterwards."""
    first = threading.Thread(target=ask, args=(server, "How much did Alibaba's cloud business earn in revenue?"))
    first.start()
    time.sleep(0.5)
    stream_then_hang_up(server, 0.5)  # waits behind the first, then goes away
    try:
        ask(server, timeout=1.0)  # a plain request that gives up while queued
    except httpx.TimeoutException:
        pass
    first.join()
    started = time.time()
    again = ask(server, timeout=120)
    assert answered(again), again.text[:500]
    assert time.time() - started < 120
    health = httpx.get(f"{server.base}/health").json()
    assert health["status"] == "ok"


def test_a_streamed_request_is_logged_with_its_whole_time(server):
    before = server.text()
    body = {"model": "qa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    started = time.perf_counter()
    with httpx.stream("POST", f"{server.base}{CHAT}", json=body, timeout=300) as r:
        r.read()
    seconds = time.perf_counter() - started
    time.sleep(0.2)
    line = next(line for line in server.text()[len(before):].splitlines() if CHAT in line)
    logged_ms = float(line.split()[-2])
    assert logged_ms >= 0.8 * 1000 * seconds, (line, seconds)


def test_docs_work_offline(server):
    page = httpx.get(f"{server.base}/docs").text
    assert "cdn" not in page.lower() and "http://" not in page.replace(server.base, "") \
        and "https://" not in page
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
        if asset.split("/")[-1] in page:
            assert httpx.get(server.base + asset).status_code == 200


def test_sigterm_stops_the_server_mid_generation(index_copy, tmp_path):
    server = Server(index_copy, tmp_path / "serve.log")
    def talk():
        try:
            httpx.post(f"{server.base}/v1/ask", json={"question": QUESTION}, timeout=120)
        except httpx.HTTPError:
            pass  # the server went away mid-answer, as told

    talker = threading.Thread(target=talk)
    talker.start()
    time.sleep(1.5)
    started = time.time()
    code = server.stop(timeout=60)
    assert time.time() - started < 30 and code is not None
    talker.join()
    assert "Traceback" not in server.text() and "ERROR" not in server.text(), server.text()[-2000:]


def test_bad_ports_and_model_paths_fail_in_one_line_before_the_model_loads(index_copy):
    started = time.time()
    result = run_qa("serve", "--port", "70000", "--index", str(index_copy), timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--port must be between 0 and 65535" in result.stderr and "loading" not in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_qa("serve", "--port", str(port), "--index", str(index_copy), timeout=60)
    assert result.returncode == 2 and "the port is in use" in result.stderr and "qa serve on" not in result.stderr
    result = run_qa("serve", "--llm", "llamacpp:/nonexistent/x.gguf", "--port", str(free_port()),
                    "--index", str(index_copy), timeout=60)
    assert result.returncode == 4 and "no such file: /nonexistent/x.gguf" in result.stderr
    assert "Traceback" not in result.stderr and time.time() - started < 60


def test_bad_dates_on_the_command_line_are_one_line_errors(index_copy):
    for value in ("notadate", "2025-02-30"):
        result = run_qa("search", "Alibaba", "--since", value, "--index", str(index_copy))
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.returncode == 2 and len(lines) == 1 and value in lines[0], result.stderr
        assert "Traceback" not in result.stderr


def test_a_short_soak(index_copy):
    """The CI version of benchmarks/soak.py: 40 requests from 16 clients against --queue 4."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import soak
    finally:
        sys.path.pop(0)
    report = soak.run(index_copy, requests=40, clients=16, queue=4, qa_bin=QA_BIN, max_seconds=240)
    print(report)
    assert report["alive"] and report["answers_after"], report
    assert report["errors"] == 0 and report["tracebacks_in_log"] == 0, report
    assert report["rss_growth_pct"] <= 10, report
    assert report["exit_code_on_sigterm"] is not None
