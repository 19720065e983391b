"""The watcher without an embedder: which events count, how they are batched, and what a real watchdog observer on
a temporary folder turns a burst of writes into."""

import threading
import time

import pytest
from watchdog.events import (DirModifiedEvent, DirMovedEvent, EventsLostEvent, FileClosedNoWriteEvent,
                             FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileOpenedEvent)

from qa.errors import InputError, QAError
from qa.ingest.pipeline import IngestReport
from qa.ingest.watch import Batches, Watcher, describe, relevant

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("event, counts", [
    (FileCreatedEvent("/d/a.md"), True),
    (FileModifiedEvent("/d/report.PDF"), True),
    (FileDeletedEvent("/d/page.html"), True),
    (FileMovedEvent("/d/.a.md.swp", "/d/a.md"), True),  # an editor's save: written aside, renamed into place
    (FileMovedEvent("/d/a.md", "/elsewhere/a.bak"), True),  # moved away: gone from the folder
    (FileCreatedEvent("/d/.a.md.swp"), False),  # hidden, as ingest skips them
    (FileCreatedEvent("/d/photo.jpg"), False),
    (FileOpenedEvent("/d/a.md"), False),
    (FileClosedNoWriteEvent("/d/a.md"), False),  # read, not written (ingest reading it, for one)
    (DirModifiedEvent("/d/sub"), False),  # its listing changed: the files' own events say what
    (DirMovedEvent("/elsewhere/sub", "/d/sub"), True),  # a folder moved in brings files with no events of their own
    (DirMovedEvent("/d/.git", "/d/.git2"), False),
    (EventsLostEvent(""), True),  # the OS dropped events: look at the whole folder again
])
def test_only_events_that_can_change_what_ingest_reads_count(event, counts):
    assert relevant(event) is counts


def batches_of(events: list[float], quiet: float, most: float) -> int:
    """How many batches ``Batches`` makes of events sent at the given offsets (seconds)."""
    batches, taken = Batches(quiet, most), []
    taker = threading.Thread(target=lambda: [taken.append(1) for _ in iter(batches.next, False)])
    taker.start()
    start = time.monotonic()
    for offset in events:
        time.sleep(max(0.0, start + offset - time.monotonic()))
        batches.add()
    time.sleep(quiet + 0.2)
    batches.close()
    taker.join(2)
    assert not taker.is_alive()
    return len(taken)


def test_a_burst_of_events_is_one_batch():
    assert batches_of([0.01 * i for i in range(30)], quiet=0.15, most=5) == 1


def test_events_apart_by_more_than_the_quiet_time_are_separate_batches():
    assert batches_of([0.0, 0.5, 1.0], quiet=0.15, most=5) == 3


def test_a_stream_that_never_goes_quiet_is_cut_into_batches_of_at_most_most_seconds():
    assert batches_of([0.05 * i for i in range(24)], quiet=0.3, most=0.4) >= 2


def test_closing_wakes_a_waiting_next():
    batches = Batches(0.1, 1)
    result = []
    waiter = threading.Thread(target=lambda: result.append(batches.next()))
    waiter.start()
    time.sleep(0.1)
    batches.close()
    waiter.join(2)
    assert result == [False]


def test_a_failed_batch_is_logged_and_the_next_one_is_ingested(tmp_path):
    watcher = Watcher([tmp_path], quiet=0.01)
    report = IngestReport(added=["/d/a.md"], removed=["/d/b.md", "/d/c.md"], total_files=41)
    outcomes = iter([InputError("no readable files in /d"), report])
    lines = []

    def ingest() -> IngestReport:
        outcome = next(outcomes)
        if isinstance(outcome, QAError):
            watcher.batches.add()  # a change while the failed batch ran
            raise outcome
        watcher.stop()
        return outcome

    watcher.batches.add()
    watcher.sync(ingest, lines.append)
    assert lines == ["not ingested: no readable files in /d", "1 added, 0 changed, 2 removed · 41 articles"]


def test_a_batch_line_counts_skipped_files_only_when_there_are_some():
    assert describe(IngestReport(updated=["a"], skipped=[("b", "empty")], total_files=1)) == \
        "0 added, 1 changed, 0 removed, 1 skipped · 1 article"


def test_only_existing_folders_can_be_watched(tmp_path):
    (tmp_path / "a.md").write_text("x")
    for path, message in [(tmp_path / "missing", "no such folder"), (tmp_path / "a.md", "not a folder"),
                          ("https://example.com/news", "not web pages")]:
        with pytest.raises(InputError, match=message):
            Watcher([path])
    assert Watcher([tmp_path]).folders == [tmp_path.resolve()]


def test_a_real_observer_turns_a_burst_of_writes_into_one_batch_and_ignores_hidden_files(tmp_path):
    with Watcher([tmp_path], quiet=0.3) as watcher:
        (tmp_path / ".draft.md.swp").write_text("editor state")
        (tmp_path / "notes.jpg").write_bytes(b"\xff\xd8")
        time.sleep(0.6)
        assert watcher.batches._first is None  # nothing that counts happened
        (tmp_path / "sub").mkdir()
        for i in range(5):
            (tmp_path / "sub" / f"{i}.md").write_text(f"article {i}")
        (tmp_path / "sub" / "0.md").rename(tmp_path / "sub" / "zero.md")
        started = time.monotonic()
        assert watcher.batches.next()
        assert 0.3 <= time.monotonic() - started < 3
        assert watcher.batches._first is None  # the whole burst was one batch


def test_the_servers_watcher_waits_its_turn_and_counts_in_the_queue():
    from qa.server.gate import Gate

    gate = Gate(queue=0)
    gate.admit()  # never refused, even with the queue full
    assert not gate.try_wait()
    assert gate.run(lambda: "ingested", threading.Event()) == "ingested"
    assert gate.try_wait()  # its place given back
