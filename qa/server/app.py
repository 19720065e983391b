"""``qa serve``: an OpenAI-compatible HTTP API with checked citations, qa's own endpoints and a web page.

One process, one ``QA``, the model loaded once. Requests that need the model take turns (``qa.server.gate``); the
guard checks the key and the body sizes before a route reads a byte; every failure is one JSON shape
(``qa.server.errors``). This module only wires the parts together and says how the server stops.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from .docs import Docs
from .errors import add_handlers
from .gate import Gate
from .guard import Guard
from .routes import chat, ingest, page, questions, status
from .state import attach
from .watching import follow

if TYPE_CHECKING:
    from ..api import QA
    from ..ingest.watch import Watcher

log = logging.getLogger("qa.serve")


def create_app(qa: QA, *, api_key: str | None = None, queue: int = 4, watcher: Watcher | None = None) -> FastAPI:
    """The app over ``qa``; with a started ``watcher``, its folders' changes are ingested while it serves."""
    app = FastAPI(title="qa", description="Answers with checked citations from your articles.", version="1",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    attach(app, qa, Gate(queue), watcher)
    app.add_middleware(Guard, api_key=api_key)
    add_handlers(app)
    app.include_router(page.router)
    Docs().mount(app)
    for routes in (status, questions, chat, ingest):
        app.include_router(routes.router)
    return app


@asynccontextmanager
async def lifespan(app: FastAPI):
    """While the app serves, the watcher's batches are ingested. Stopping, no new batch starts, every generation is
    cancelled (each ends at its next token), and the process waits for the model to be free before it exits, so
    the model is never freed under a generating thread."""
    state = app.state
    syncing = follow(state.watcher, state.qa, state.gate) if state.watcher else None
    yield
    if state.watcher:
        state.watcher.stop()  # no batch after this one
    state.gate.cancel_all()  # stopping: every generation ends at its next token, and the model is freed only then
    if not await asyncio.to_thread(state.gate.idle, 60):
        log.warning("a generation did not stop within 60 s")
    if syncing:
        await asyncio.to_thread(syncing.join, 60)
