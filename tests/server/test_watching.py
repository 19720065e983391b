"""The watcher's ingests while serving, with a stand-in watcher: each batch takes its turn at the model."""

import threading

import pytest

from qa.server.errors import Cancelled
from qa.server.gate import Gate
from qa.server.watching import follow

pytestmark = pytest.mark.unit


class Watcher:
    """Hands ``batches`` batches to ``sync``'s ingest, as the real watcher does after each burst of changes."""

    def __init__(self, folders, batches=2, raises=None):
        self.folders, self.batches, self.raises, self.reports = folders, batches, raises, []

    def sync(self, ingest, report):
        for _ in range(self.batches):
            self.reports.append(ingest())
        if self.raises:
            raise self.raises


class QA:
    def __init__(self, gate):
        self.gate, self.ingested = gate, []

    def ingest(self, paths, warn=None):
        assert self.gate.lock.locked()  # the model is this ingest's while it runs
        self.ingested.append(paths)
        return f"report {len(self.ingested)}"


def test_each_batch_is_ingested_in_a_turn_of_its_own(tmp_path):
    gate = Gate(queue=0)
    qa, watcher = QA(gate), Watcher([tmp_path])
    follow(watcher, qa, gate).join(5)
    assert qa.ingested == [[tmp_path], [tmp_path]] and watcher.reports == ["report 1", "report 2"]
    assert gate.admitted == 0 and not gate.lock.locked()


def test_a_batch_waits_behind_an_answer_however_full_the_queue():
    gate, release = Gate(queue=0), threading.Event()
    assert gate.try_wait()
    answering = threading.Thread(target=gate.run, args=(lambda: release.wait(5), threading.Event()))
    answering.start()
    qa = QA(gate)
    thread = follow(Watcher(["docs"], batches=1), qa, gate)
    thread.join(0.3)
    assert thread.is_alive() and qa.ingested == []
    release.set()
    thread.join(5)
    answering.join(5)
    assert qa.ingested == [["docs"]]


def test_a_stopping_server_ends_the_watch_quietly():
    gate = Gate(queue=0)
    thread = follow(Watcher(["docs"], batches=0, raises=Cancelled()), QA(gate), gate)
    thread.join(5)
    assert not thread.is_alive()
