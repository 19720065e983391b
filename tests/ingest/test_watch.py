"""``qa ingest --watch`` for real, with the embedding model, on a temporary folder: a file added, edited, renamed
and deleted, each followed by its one-line batch and checked by a search; Ctrl-C; bad input; and kill -9 in the
middle of a batch."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import CORPUS, QA_BIN, article, run_qa, write
from qa import QA
from qa.store.index import Index

pytestmark = pytest.mark.integration


class Watching:
    """``qa ingest --watch`` in a subprocess, its stdout read line by line on a thread, its stderr in a file."""

    def __init__(self, docs: Path, index: Path):
        self.log = index.parent / f"watch-{time.monotonic_ns()}.log"
        self.process = subprocess.Popen([QA_BIN, "ingest", "--index", str(index), "--watch", str(docs)],
                                        stdout=subprocess.PIPE, stderr=open(self.log, "w"), text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line.rstrip("\n")) for line in self.process.stdout],
                         daemon=True).start()

    def line(self, timeout: float = 120) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no batch line in {timeout} s") from None

    def batch(self) -> str:
        """The next batch's line, without its time."""
        stamp, _, line = self.line().partition(" ")
        assert time.strptime(stamp, "%H:%M:%S"), stamp
        return line

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C once the command says it watches; its exit code and stderr."""
        deadline = time.monotonic() + 60
        while "Ctrl-C stops" not in self.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60), self.log.read_text()


def found(index: Path, query: str) -> list[str]:
    """The names of the files whose passages a search for ``query`` ranks, best first."""
    return [Path(p.path).name for p in QA(index=index).search(query, k=3)]


def test_a_watched_folder_follows_adds_edits_renames_and_deletes(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "acme.md", article("Acme orders zeppelins", "Acme Aerospace ordered twelve zeppelins in March."))
    write(docs, "borealis.md", article("Borealis mines", "Borealis Mining opened a nickel mine in Quebec."))
    index = tmp_path / "idx"
    watching = Watching(docs, index)
    try:
        assert watching.line().startswith("2 added, 0 updated, 0 removed")  # the first ingest, as qa ingest prints it

        write(docs, "cobalt.md", article("Cobalt lithium", "Cobalt Metals doubled its lithium output in Chile."))
        assert watching.batch() == "1 added, 0 changed, 0 removed · 3 articles"
        assert found(index, "lithium output Chile")[0] == "cobalt.md"

        write(docs, "acme.md", article("Acme orders airships", "Acme Aerospace cancelled its airship order."))
        assert watching.batch() == "0 added, 1 changed, 0 removed · 3 articles"
        assert found(index, "Acme airship order cancelled")[0] == "acme.md"
        assert not any("zeppelins" in c.text for c in Index.open(index).chunks)

        (docs / "borealis.md").rename(docs / "nickel.md")
        assert watching.batch() == "1 added, 0 changed, 1 removed · 3 articles"
        assert found(index, "nickel mine Quebec")[0] == "nickel.md"
        assert "borealis.md" not in {Path(p).name for p in Index.open(index).files}

        (docs / "cobalt.md").unlink()
        assert watching.batch() == "0 added, 0 changed, 1 removed · 2 articles"
        assert "cobalt.md" not in found(index, "lithium output Chile")
        assert {Path(p).name for p in Index.open(index).files} == {"acme.md", "nickel.md"}

        code, stderr = watching.interrupt()
        assert code == 0 and "stopped watching" in stderr and "Traceback" not in stderr, stderr
    finally:
        watching.process.kill()


def test_paths_that_cannot_be_watched_are_one_line_errors(tmp_path):
    note = write(tmp_path, "note.md", article("Note", "A note."))
    for args, message in [(["--watch", str(tmp_path / "missing")], "no such folder"),
                          (["--watch", str(note)], "not a folder"),
                          (["--watch", "https://example.com/a"], "not web pages"),
                          (["--watch", str(tmp_path), "--refresh"], "without --urls, --refresh or --ray")]:
        result = run_qa("ingest", "--index", str(tmp_path / "idx"), *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "idx" / "CURRENT").exists()


def test_kill_9_mid_batch_leaves_the_previous_index_whole_and_the_next_watch_catches_up(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "acme.md", article("Acme", "Acme grew 5%."))
    index = tmp_path / "idx"
    watching = Watching(docs, index)
    try:
        watching.line()
        for path in CORPUS.glob("*.md"):  # one batch that takes a while to embed
            shutil.copy(path, docs / path.name)
        deadline = time.monotonic() + 120
        while not any(index.glob("tmp-*/dense.faiss")) and time.monotonic() < deadline:
            time.sleep(0.001)  # the new generation half written: kill before it goes live
        watching.process.send_signal(signal.SIGKILL)
        watching.process.wait(30)
    finally:
        watching.process.kill()
    assert any(index.glob("tmp-*")), "the batch finished before the moment to kill it"
    assert Index.open(index).files.keys() == {str((docs / "acme.md").resolve())}
    watching = Watching(docs, index)
    try:
        assert f"holds {1 + len(list(CORPUS.glob('*.md')))} articles" in watching.line()
        assert watching.interrupt()[0] == 0
    finally:
        watching.process.kill()
    assert not list(index.glob("tmp-*"))
    assert os.path.exists(index / "CURRENT")
