"""``qa serve --watch``: the watcher's batches ingested while the server answers, each taking its turn at the
model like an upload."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from .errors import Cancelled
from .gate import Gate

if TYPE_CHECKING:
    from ..api import QA
    from ..ingest.pipeline import IngestReport
    from ..ingest.watch import Watcher

log = logging.getLogger("qa.serve")


def follow(watcher: Watcher, qa: QA, gate: Gate) -> threading.Thread:
    """Ingest the watcher's batches on a thread of their own, each taking its turn at the model like an upload: an
    ingest swaps the index that answers read (twice: to search, then to pick passages), so the two never overlap.
    Searches need no turn: each reads one generation whole, kept on disk until the next ingest but one."""

    def ingest() -> IngestReport:
        gate.admit()
        return gate.run(lambda: qa.ingest(watcher.folders, warn=log.warning), threading.Event())

    def run() -> None:
        log.info("watching %s for changes", ", ".join(map(str, watcher.folders)))
        try:
            watcher.sync(ingest, lambda line: log.info("watch: %s", line))
        except Cancelled:  # the server is stopping
            pass

    thread = threading.Thread(target=run, name="qa-watch", daemon=True)
    thread.start()
    return thread
