"""A scripted QA and a tiny app around one router, so each router is tested alone: no embedder, no index, the
project's fake model for the follow-up rewrite. The QA records what the routes asked of it."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from qa.answering.records import Answer, Citation
from qa.api import check_question
from qa.ingest.pipeline import IngestReport
from qa.llms.fake import FakeLLM
from qa.retrieval.search import Passage
from qa.server.errors import add_handlers
from qa.store.chunks import Chunk
from qa.server.gate import Gate
from qa.server.state import attach
from qa.settings import Settings

ARTICLES = ["/srv/news/acme.md", "/srv/news/2025/borealis.md"]
TEXT = "Acme Aerospace ordered twelve zeppelins in March [1]."
PASSAGE = Passage(1, 0.03, 0.8, 0, Chunk(ARTICLES[0], "Acme orders zeppelins", "2025-03-01", "wire", "", TEXT, 0))


class Index:
    files = dict.fromkeys(ARTICLES, "hash")

    def __len__(self) -> int:
        return 5


class ScriptedQA:
    """Where the routes call ``QA``: one passage for every search, one answer for every question, an ingest that
    skips files named bad*. ``rewrites`` are the fake model's replies to the follow-up rewrite."""

    def __init__(self, root: Path, rewrites: list[str] | None = None, fail_ingest: bool = False):
        self.index_dir, self.index = root / "index", Index()
        self.llm = FakeLLM(replies=rewrites or ["What did Acme order in March?"])
        self.settings = Settings.load()
        self.fail_ingest, self.calls = fail_ingest, []

    def search(self, query, k=None, filters=None):
        self.calls.append(("search", check_question(query), k, filters))
        return [PASSAGE]

    def stream(self, question, filters=None, searched=None):
        self.calls.append(("stream", check_question(question), filters, searched))
        yield "Acme"
        yield Answer(question, TEXT, False, [Citation(1, PASSAGE)], "fake", {"total": 0.1}, prompt_tokens=42)

    def ingest(self, paths, warn=None):
        self.calls.append(("ingest", sorted(p.name for p in paths)))
        if self.fail_ingest:
            raise OSError("disk full")
        return IngestReport(added=[str(p) for p in paths if not p.name.startswith("bad")],
                            skipped=[(str(p), f"cannot read {p}: not text") for p in paths if p.name.startswith("bad")])


def serve(router, qa, *, queue: int = 4, watcher=None) -> TestClient:
    """A client of an app that has only ``router``, over ``qa``, with the server's error mapping."""
    app = FastAPI()
    attach(app, qa, Gate(queue), watcher)
    add_handlers(app)
    app.include_router(router)
    return TestClient(app)
