"""Folders kept in step with the index: ``qa ingest --watch`` and ``qa serve --watch``.

The watcher only decides *when* to ingest. What changed is the incremental ingest's business
(``qa.ingest.pipeline``): it hashes every file under the folders, embeds the added and changed ones and drops the
ones gone, so a rename is a removal and an addition, and an event missed or merged costs nothing but a later
batch. The events come from the OS through watchdog (inotify, FSEvents, ReadDirectoryChangesW) rather than a loop
that rescans the folders.

Events are debounced: one save from an editor is several events (a temporary file, a rename, a chmod) and a copy
of a folder hundreds, and one ingest should follow the burst, not each event. ``quiet`` seconds without an event
end a batch, and ``most`` seconds end one that never goes quiet. Each batch is one ordinary ingest under the
store's lock, written as a new generation that goes live atomically (``qa.store.index``), so a crash mid-batch
leaves the previous index whole, as it does for ``qa ingest``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_EVENTS_LOST, EVENT_TYPE_MODIFIED,
                             EVENT_TYPE_OPENED, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from ..errors import InputError, QAError
from . import web
from .documents import SUPPORTED_SUFFIXES
from .pipeline import IngestReport

QUIET = 1.0  # seconds without an event that end a batch
MOST = 10.0  # seconds after its first event that end a batch whatever comes after
IDLE_POLL = 0.5  # seconds an idle watcher waits at most before it looks for a Ctrl-C again


class Batches:
    """Events gathered into batches: ``add`` is called from watchdog's thread, ``next`` from the one that ingests."""

    def __init__(self, quiet: float = QUIET, most: float = MOST):
        self.quiet, self.most = quiet, most
        self._changed = threading.Condition()
        self._first: float | None = None  # when the pending batch's first event came; None: nothing pending
        self._last = 0.0
        self._closed = False

    def add(self) -> None:
        with self._changed:
            now = time.monotonic()
            self._first = now if self._first is None else self._first
            self._last = now
            self._changed.notify_all()

    def close(self) -> None:
        """Make ``next`` return False, now if it waits or when it is next called."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def next(self) -> bool:
        """Wait until a batch is due (``quiet`` s after its last event, or ``most`` s after its first) and take it;
        False once closed. Events that come while the batch is ingested make the next batch."""
        with self._changed:
            while not self._closed:
                if self._first is None:
                    # timed: a Ctrl-C that the OS hands to another thread (watchdog's) is raised in this one only
                    # when it runs Python again; an untimed wait left `qa ingest --watch` deaf to it
                    self._changed.wait(IDLE_POLL)
                    continue
                due = min(self._last + self.quiet, self._first + self.most) - time.monotonic()
                if due <= 0:
                    self._first = None
                    return True
                self._changed.wait(due)
            return False


def relevant(event: FileSystemEvent) -> bool:
    """Whether an event can change what ingest reads: a supported, visible file created, written, moved or
    deleted; a folder created, moved or deleted (a folder moved in brings files with no events of their own); or
    events the OS lost. Opens, reads and a folder's own "modified" (its listing changed) cannot."""
    if event.event_type == EVENT_TYPE_EVENTS_LOST:
        return True
    if event.event_type in (EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE):
        return False
    paths = [os.fsdecode(p) for p in (event.src_path, event.dest_path) if p]
    if event.is_directory:
        return event.event_type != EVENT_TYPE_MODIFIED and any(_visible(p) for p in paths)
    return any(_visible(p) and p.lower().endswith(SUPPORTED_SUFFIXES) for p in paths)


def _visible(path: str) -> bool:
    """Not hidden: ingest skips hidden files and folders (``qa.ingest.documents.discover``), and editors' swap
    files and the server's half-written uploads are hidden."""
    return not os.path.basename(path).startswith(".")


class _Handler(FileSystemEventHandler):
    def __init__(self, batches: Batches):
        self.batches = batches

    def on_any_event(self, event: FileSystemEvent) -> None:
        if relevant(event):
            self.batches.add()


class Watcher:
    """Batches of changes under ``folders``, observed from ``__enter__`` (so a first ingest made inside the
    ``with`` misses nothing) until ``__exit__``."""

    def __init__(self, folders: list[str | Path], quiet: float = QUIET, most: float = MOST):
        self.folders = [watchable(f) for f in folders]
        if not self.folders:
            raise InputError("--watch needs a folder to watch")
        self.batches = Batches(quiet, most)
        self._observer = Observer()
        handler = _Handler(self.batches)
        for folder in self.folders:
            self._observer.schedule(handler, str(folder), recursive=True)

    def __enter__(self) -> "Watcher":
        try:
            self._observer.start()
        except OSError as exc:  # e.g. inotify's limit on watches reached
            raise InputError(f"cannot watch {', '.join(map(str, self.folders))}: {exc.strerror or exc}") from None
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
        self._observer.stop()
        self._observer.join()

    def stop(self) -> None:
        """End ``sync`` once the batch it is ingesting, if any, is done; safe from any thread."""
        self.batches.close()

    def sync(self, ingest: Callable[[], IngestReport], log: Callable[[str], None]) -> None:
        """Until stopped: ``ingest`` once per batch and ``log`` its outcome in one line. A batch that fails (a
        folder emptied, another ingest holding the index) is logged, and the next change tries again."""
        while self.batches.next():
            try:
                log(describe(ingest()))
            except QAError as exc:
                log(f"not ingested: {exc}")


def watchable(path: str | Path) -> Path:
    """``path`` as a folder to watch, or a one-line error saying why it is not one."""
    if web.is_url(str(path)):
        raise InputError(f"cannot watch {path}: --watch takes folders, not web pages")
    folder = Path(path)
    if not folder.exists():
        raise InputError(f"cannot watch {path}: no such folder")
    if not folder.is_dir():
        raise InputError(f"cannot watch {path}: not a folder (watch the folder that holds it)")
    return folder.resolve()


def describe(report: IngestReport) -> str:
    """One batch in one line: what changed, and how many articles the index holds now."""
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    articles = f"{report.total_files} article{'' if report.total_files == 1 else 's'}"
    changes = f"{len(report.added)} added, {len(report.updated)} changed, {len(report.removed)} removed"
    return f"{changes}{skipped} · {articles}"
