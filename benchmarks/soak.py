"""Soak ``qa serve``: many requests from concurrent clients, some of which hang up, against one server.

    .venv/bin/python benchmarks/soak.py [--requests 200] [--clients 16] [--queue 4] [--index DIR] [--llm SPEC]

Starts ``qa serve --queue N`` on a free loopback port (over ``--index``, else over the bundled corpus ingested into
a temporary index), asks one question to warm it and reads its RSS, then sends ``--requests`` requests from
``--clients`` threads, each request one of: a plain /v1/ask, a whole streamed chat completion, a stream closed
after its first chunk (while it waits for the model, or as its generation starts), and a stream closed after a
random 0.5-4 s (mid-generation, or still queued). Every attempt counts as one of the ``--requests``, a 503 too; a
client that gets 503 backs off as Retry-After asks, doubling its wait on each 503 in a row (1, 2, 4, 8, then 16 s
at most, jittered), and then sends the same kind again, so that the mix that reaches the model is the planned one;
no new request starts after ``--max-seconds``.
Afterwards the server must be alive, answer the check question from the article that holds the answer (whether
the figure is right is reported too), and hold at most 10% more RSS than after the warm-up. Prints one JSON report: counts by outcome, latency p50/p95 by kind, RSS before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    ("What was Alibaba's net income in the quarter ended December 2024?", "48.9 billion yuan"),
    ("Who is Alibaba's chief executive?", None),
    ("How many subscribers did Netflix add in 2024?", None),
    ("What was Tencent's revenue in the December 2024 quarter?", None),
]
CHECK = QUESTIONS[0]
KINDS = ("plain", "streamed", "hangup-first-chunk", "hangup-later")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Served:
    """``qa serve`` in a subprocess, its log in a file."""

    def __init__(self, index: Path, queue: int, llm: str | None = None, qa_bin: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="qa-soak-", suffix=".log", delete=False)
        command = [qa_bin or str(Path(sys.executable).parent / "qa"), "serve", "--port", str(self.port),
                   "--queue", str(queue), "--index", str(index), *(["--llm", llm] if llm else [])]
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 300
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"qa serve exited {self.process.returncode}:\n{self.text()}")
            try:
                httpx.get(f"{self.base}/health", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("qa serve did not start in 300 s")

    def text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def one_request(base: str, kind: str, rng: random.Random) -> tuple[str, float]:
    """Send one request of ``kind``; its outcome ('200', '503', 'hung-up', 'error: ...') and seconds taken."""
    question = rng.choice(QUESTIONS)[0]
    started = time.perf_counter()
    try:
        if kind == "plain":
            r = httpx.post(f"{base}/v1/ask", json={"question": question}, timeout=600)
            return str(r.status_code), time.perf_counter() - started
        body = {"model": "qa", "stream": True, "messages": [{"role": "user", "content": question}]}
        with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, timeout=600) as r:
            if r.status_code != 200:
                r.read()
                return str(r.status_code), time.perf_counter() - started
            lines = r.iter_lines()
            if kind == "hangup-first-chunk":
                next(line for line in lines if line.startswith("data:"))
                return "hung-up", time.perf_counter() - started
            if kind == "hangup-later":
                next(line for line in lines if line.startswith("data:"))
                time.sleep(rng.uniform(0.5, 4.0))
                return "hung-up", time.perf_counter() - started
            done = False
            for line in lines:
                if line.startswith("data:") and '"error"' in line:
                    return "error: " + line[:120], time.perf_counter() - started
                done = done or line == "data: [DONE]"
            return ("200" if done else "error: stream ended without [DONE]"), time.perf_counter() - started
    except httpx.HTTPError as exc:
        return f"error: {type(exc).__name__}", time.perf_counter() - started


def soak(base: str, pid: int, requests: int, clients: int, seed: int = 7, max_seconds: float = 600) -> dict:
    rng = random.Random(seed)
    plan = [KINDS[i % len(KINDS)] for i in range(requests)]
    rng.shuffle(plan)
    lock, results, busy = threading.Lock(), [], [0]  # busy: requests in flight, counted against ``requests``

    def client(number: int) -> None:
        own, refused, kind = random.Random(seed * 1000 + number), 0, None
        while time.perf_counter() - started < max_seconds:
            with lock:
                if len(results) + busy[0] >= requests or not (plan or refused):
                    return
                kind = kind if refused else plan.pop()  # after a 503 the same kind again: the mix served holds
                busy[0] += 1
            outcome, seconds = one_request(base, kind, own)
            with lock:
                results.append((kind, outcome, seconds))
                busy[0] -= 1
            refused = refused + 1 if outcome == "503" else 0
            if refused:
                time.sleep(min(2 ** (refused - 1), 16) * own.uniform(0.5, 1.5))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()  # read by the clients
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    counts: dict[str, int] = {}
    for _, outcome, _ in results:
        counts[outcome] = counts.get(outcome, 0) + 1
    latency = {}
    for kind in KINDS:
        answered = sorted(s for k, o, s in results if k == kind and o in ("200", "hung-up"))
        if answered:
            latency[kind] = {"n": len(answered), "p50": round(statistics.median(answered), 2),
                             "p95": round(answered[min(len(answered) - 1, int(0.95 * len(answered)))], 2)}
    return {"requests": len(results), "planned": requests, "clients": clients, "wall_seconds": round(wall, 1), "outcomes": counts,
            "errors": sum(v for k, v in counts.items() if k.startswith("error")), "latency_seconds": latency}


def check_answer(base: str) -> dict:
    """Ask the check question: whether it was answered from the right article, and whether the figure is right."""
    r = httpx.post(f"{base}/v1/ask", json={"question": CHECK[0]}, timeout=600)
    if r.status_code != 200:
        return {"answered": False, "correct": False, "answer": f"HTTP {r.status_code}"}
    body = r.json()
    cited = any("alibaba-december-quarter-2024" in c["path"] for c in body["citations"])
    return {"answered": bool(body["answer"]) and cited, "correct": CHECK[1] in body["answer"],
            "answer": body["answer"]}


def run(index: Path, requests: int, clients: int, queue: int, llm: str | None = None,
        qa_bin: str | None = None, max_seconds: float = 600) -> dict:
    served = Served(index, queue, llm, qa_bin)
    try:
        warm = check_answer(served.base)
        before = rss_kb(served.process.pid)
        report = soak(served.base, served.process.pid, requests, clients, max_seconds=max_seconds)
        time.sleep(1)
        report["alive"] = served.process.poll() is None
        report["check_after"] = check_answer(served.base) if report["alive"] else None
        report["answers_after"] = bool(report["check_after"] and report["check_after"]["answered"])
        after = rss_kb(served.process.pid) if report["alive"] else 0
        report |= {"check_warm": warm, "rss_mb_before": round(before / 1024),
                   "rss_mb_after": round(after / 1024),
                   "rss_growth_pct": round(100 * (after - before) / before, 1) if before else None}
    finally:
        code = served.stop() if served.process.poll() is None else served.process.returncode
        log = served.text()
    report["exit_code_on_sigterm"] = code
    report["tracebacks_in_log"] = log.count("Traceback")
    report["log"] = served.log.name
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--queue", type=int, default=4)
    parser.add_argument("--index", type=Path, help="an index to serve (default: the bundled corpus, ingested)")
    parser.add_argument("--llm", help="LLM spec for qa serve (default: the default local model)")
    parser.add_argument("--max-seconds", type=float, default=600, help="start no request after this long")
    args = parser.parse_args()
    scratch = None
    index = args.index
    if index is None:
        scratch = Path(tempfile.mkdtemp(prefix="qa-soak-"))
        index = scratch / "index"
        qa_bin = str(Path(sys.executable).parent / "qa")
        subprocess.run([qa_bin, "ingest", str(ROOT / "corpus"), "--index", str(index)], check=True,
                       capture_output=True, env={**os.environ})
    try:
        report = run(index, args.requests, args.clients, args.queue, args.llm, max_seconds=args.max_seconds)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, indent=1))
    ok = (report["alive"] and report["answers_after"] and report["errors"] == 0
          and report["tracebacks_in_log"] == 0 and (report["rss_growth_pct"] or 0) <= 10)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
