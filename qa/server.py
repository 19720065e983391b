"""``qa serve``: an OpenAI-compatible HTTP API with checked citations, qa's own endpoints and a web page.

One process, one ``QA``, the model loaded once. Requests that need the model take turns (``Gate``): one runs,
up to ``queue`` wait, and more get 503 with Retry-After. Answers are generated whole and checked before a
word is sent, also when streaming: the checks may refuse a draft or put a computed figure and its working in,
and a client must never have shown what qa then withdraws. Stream chunks follow OpenAI's format; the last one
carries ``citations`` and ``refused``, which the openai SDK exposes as ``chunk.model_extra``.
"""

from __future__ import annotations

import asyncio
import hmac
import importlib.util
import json
import logging
import os
import threading
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import asdict
from importlib.resources import files
from ipaddress import ip_address
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException

from .answering.answer import Answer
from .api import QA
from .answering.condense import standalone
from .errors import InputError, QAError
from .ingest import web
from .ingest.documents import MAX_FILE_BYTES, MAX_PDF_BYTES, SUPPORTED_SUFFIXES
from .retrieval.search import Filters

if TYPE_CHECKING:
    from .ingest.pipeline import IngestReport
    from .ingest.watch import Watcher

MAX_BODY_BYTES = 1 * 1024 * 1024  # JSON requests
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # one ingest request, all files together
STREAM_PIECE_CHARS = 24
log = logging.getLogger("qa.serve")


class FiltersIn(BaseModel):
    source: str | None = None
    since: str | None = Field(default=None, description="Only articles dated on or after YYYY-MM-DD.")
    until: str | None = Field(default=None, description="Only articles dated on or before YYYY-MM-DD.")
    title: str | None = None
    company: str | None = Field(default=None, description="Only filings whose filer's name contains this text.")

    def filters(self) -> Filters:
        return Filters(source=self.source, date_from=self.since, date_to=self.until, title=self.title,
                       company=self.company)


class ContentPart(BaseModel):
    """One of OpenAI's content parts; only text parts are read (an image part is accepted and ignored)."""

    model_config = ConfigDict(extra="ignore")
    type: str
    text: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # OpenAI's content parts: keep the text ones
            return " ".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat-completion request; sampling fields are accepted and ignored (qa answers at temperature 0)."""

    model_config = ConfigDict(extra="ignore")
    model: str = "qa"
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    filters: FiltersIn | None = None


class SearchRequest(FiltersIn):
    query: str
    k: int | None = Field(default=None, ge=1, le=100)


class AskRequest(FiltersIn):
    question: str


class Gate:
    """Turns at the one model. ``try_wait`` admits a request (or refuses when one already runs and ``queue`` wait,
    counting work whose thread has not taken the model yet and cancelled work still running); ``run`` then runs the work on the calling worker thread, which itself takes the model lock and releases
    it when the work has returned. So exactly one piece of work owns the model at any moment, whatever happens to
    the request that asked for it: a client that goes away only sets its ``cancelled`` event, which the work checks
    at every token and the wait checks every 0.1 s. No path leaves the lock taken or the queue place counted."""

    def __init__(self, queue: int):
        self.queue, self.admitted = queue, 0  # admitted: work that waits or runs (a cancelled run still counts)
        self.lock, self.count = threading.Lock(), threading.Lock()
        self.active: set[threading.Event] = set()  # the cancel events of work that waits or runs
        self.stopping = threading.Event()  # the server is shutting down

    def try_wait(self) -> bool:
        with self.count:
            if self.admitted >= self.queue + 1:
                return False
            self.admitted += 1
            return True

    def run(self, work, cancelled: threading.Event):
        """On a worker thread, after ``try_wait``: wait for the model unless cancelled (then raise Cancelled), run
        ``work()``, and release the model when it returns or raises."""
        with self.count:
            self.active.add(cancelled)
        try:
            while not self.lock.acquire(timeout=0.1):
                if cancelled.is_set() or self.stopping.is_set():
                    raise Cancelled
            try:
                if cancelled.is_set() or self.stopping.is_set():
                    raise Cancelled
                return work()
            finally:
                self.lock.release()
        finally:
            with self.count:
                self.active.discard(cancelled)
                self.admitted -= 1

    def admit(self) -> None:
        """Admit work that waits for its turn however long the queue: the folder watcher's ingests, which must
        not be dropped. It counts in the queue as any other work does."""
        with self.count:
            self.admitted += 1

    def start(self, work, cancelled: threading.Event) -> asyncio.Future:
        """After ``try_wait``: ``run`` on a thread of its own; a future of its result."""
        try:
            return in_thread(lambda: self.run(work, cancelled))
        except BaseException:  # no thread: give the queue place back
            with self.count:
                self.admitted -= 1
            raise

    def cancel_all(self) -> None:
        """Cancel every waiting and running piece of work (server shutdown)."""
        self.stopping.set()
        with self.count:
            for event in self.active:
                event.set()

    def idle(self, timeout: float) -> bool:
        """Wait until no work holds the model (at most ``timeout`` s); True when none does."""
        if not self.lock.acquire(timeout=timeout):
            return False
        self.lock.release()
        return True


class Cancelled(Exception):
    """The request went away before or while its work ran."""


def in_thread(function) -> asyncio.Future:
    """Run ``function`` on a thread of its own and return a future of its result. A dedicated thread, not the
    event loop's small default pool: work that waits for the model must never starve other requests' threads.
    Cancelling the future does not stop the thread; the work's cancel event does."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(method, value) -> None:
        if not future.done():
            method(value)

    def target() -> None:
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting request
            outcome = (future.set_exception, exc)
        else:
            outcome = (future.set_result, result)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop has closed: the server is stopping and nobody awaits this
            pass

    # a request that went away never reads its future: mark the outcome read, so asyncio does not log it
    future.add_done_callback(lambda f: f.cancelled() or f.exception())
    threading.Thread(target=target, name="qa-model", daemon=True).start()
    return future


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(qa: QA, *, api_key: str | None = None, queue: int = 4, watcher: Watcher | None = None) -> FastAPI:
    """The app over ``qa``; with a started ``watcher``, its folders' changes are ingested while it serves."""
    gate = Gate(queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        syncing = _sync(watcher, qa, gate) if watcher else None
        yield
        if watcher:
            watcher.stop()  # no batch after this one
        gate.cancel_all()  # stopping: every generation ends at its next token, and the model is freed only then
        if not await asyncio.to_thread(gate.idle, 60):
            log.warning("a generation did not stop within 60 s")
        if syncing:
            await asyncio.to_thread(syncing.join, 60)

    app = FastAPI(title="qa", description="Answers with checked citations from your articles.", version="1",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.gate = gate
    app.add_middleware(Guard, api_key=api_key)
    paths = Relative(qa)

    @app.exception_handler(QAError)
    async def user_error(request: Request, exc: QAError):
        return _error(400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return _error(422, _validation_message(exc))

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        return _error(503, "the model is busy with other requests; try again shortly", {"Retry-After": "5"})

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge):
        return _error(413, str(exc))

    @app.exception_handler(Stopping)
    async def stopping(request: Request, exc: Stopping):
        return _error(503, "the server is stopping")

    @app.exception_handler(Cancelled)
    async def cancelled(request: Request, exc: Cancelled):
        return _error(499, "the client went away")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page():
        return HTMLResponse(files("qa").joinpath("web/index.html").read_text(encoding="utf-8"))

    docs.mount(app)

    @app.get("/health")
    async def health():
        index = qa.index
        return {"status": "ok", "model": qa.llm.name, "articles": len(index.files), "passages": len(index),
                "watching": watcher is not None}

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": "qa", "object": "model", "created": 0, "owned_by": "qa"}]}

    @app.post("/v1/search", response_model=list[dict])
    async def search(body: SearchRequest):
        filters = body.filters()
        passages = await asyncio.to_thread(qa.search, body.query, body.k, filters)
        return [p.to_dict() | {"path": paths(p.path)} for p in passages]

    @app.post("/v1/ask")
    async def ask(body: AskRequest, request: Request):
        filters = body.filters()
        answer = await _answer(lambda: qa.stream(body.question, filters=filters), request)
        return answer.to_dict() | _extras(answer, paths)

    @app.post("/v1/chat/completions")
    async def chat(body: ChatRequest, request: Request):
        question, turns = _conversation(body.messages)
        filters = body.filters.filters() if body.filters else None

        def stream():
            searched = standalone(qa.llm, turns, question, qa.settings.answer.history_turns) if turns else None
            return qa.stream(question, filters=filters, searched=searched)

        if not body.stream:
            answer = await _answer(stream, request)
            return {**_completion(answer, "chat.completion"), **_extras(answer, paths)}
        if not gate.try_wait():
            raise Busy
        cancelled = threading.Event()  # the worker takes the model itself, now, whatever becomes of the response
        future = gate.start(lambda: _generate(stream, cancelled), cancelled)
        return EventStream(_events(future, cancelled, request), cancelled, media_type="text/event-stream",
                           headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.post("/v1/ingest")
    async def ingest(request: Request, files_: list[UploadFile] = File(alias="files")):
        folder = qa.index_dir / "uploads"
        uploads = [await _read_upload(upload, folder) for upload in files_]  # all checked before one is written
        written = [_write_upload(target, data) for target, data in uploads]
        try:
            report = await _with_model(lambda cancelled: qa.ingest(written), request)
        except BaseException:
            _remove(written)  # a refused or failed ingest leaves nothing behind
            raise
        _remove([Path(p) for p, _ in report.skipped])  # not indexed, so not kept
        if len(report.skipped) == len(written):
            raise InputError("nothing ingested: " + "; ".join(f"{Path(p).name}: {paths.text(why)}"
                                                               for p, why in report.skipped))
        return {**asdict(report), "added": [paths(p) for p in report.added],
                "updated": [paths(p) for p in report.updated], "removed": [paths(p) for p in report.removed],
                "skipped": [[paths(p), paths.text(reason)] for p, reason in report.skipped]}

    async def _with_model(work, request: Request):
        """Run ``work(cancelled)`` when the model is free, on a worker thread that takes and releases the model
        itself; a client that goes away meanwhile sets ``cancelled``."""
        if not gate.try_wait():
            raise Busy
        cancelled = threading.Event()
        future = gate.start(lambda: work(cancelled), cancelled)
        try:
            while not (await asyncio.wait({future}, timeout=0.25))[0]:
                if gate.stopping.is_set():
                    raise Stopping  # answer now; the worker stops by itself and shutdown waits for it
                if await request.is_disconnected():
                    cancelled.set()
            return future.result()
        finally:
            cancelled.set()  # also when this request itself is cancelled: the worker stops at its next token

    async def _answer(make_stream, request: Request) -> Answer:
        answer = await _with_model(lambda cancelled: _generate(make_stream, cancelled), request)
        if answer is None:
            raise Cancelled
        return answer

    async def _events(future: asyncio.Future, cancelled: threading.Event, request: Request):
        """SSE for a streamed chat completion: the role at once, then the checked answer, then the extras. However
        this generator ends (finished, client gone, cancelled, never started), the worker is told to stop; it
        frees the model itself once its generation has returned."""
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        try:
            yield _sse(_chunk(ident, created, {"role": "assistant"}))
            while not (await asyncio.wait({future}, timeout=0.25))[0]:
                if gate.stopping.is_set():
                    yield _sse({"error": {"message": "the server is stopping"}})
                    return
                if await request.is_disconnected():
                    cancelled.set()
                    return
            answer = future.result()
            if answer is None:
                return
            text = answer.answer
            for start in range(0, len(text), STREAM_PIECE_CHARS):
                yield _sse(_chunk(ident, created, {"content": text[start:start + STREAM_PIECE_CHARS]}))
            yield _sse(_chunk(ident, created, {}, "stop") | _extras(answer, paths))
            yield "data: [DONE]\n\n"
        except QAError as exc:
            yield _sse({"error": {"message": str(exc)}})
        except Cancelled:
            return
        finally:
            cancelled.set()

    return app


def _sync(watcher: Watcher, qa: QA, gate: Gate) -> threading.Thread:
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


class EventStream(StreamingResponse):
    """A streamed response that tells its worker to stop however the response ends, even when its body was never
    iterated (the client went away before the first byte)."""

    def __init__(self, content, cancelled: threading.Event, **kwargs):
        super().__init__(content, **kwargs)
        self.cancelled = cancelled

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.cancelled.set()


class Guard:
    """ASGI middleware: the API key, body limits counted as the bytes arrive (whatever the transfer encoding: a
    chunked body has no Content-Length to trust), and one log line per request, written when its response has
    ended (a stream's time is its whole length, not the time to its headers)."""

    def __init__(self, app, api_key: str | None = None):
        self.app, self.api_key = app, api_key

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, path = time.perf_counter(), scope["path"]
        status, over = [0], [False]

        async def logged(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        async def refuse(code: int, message: str):
            await _error(code, message)(scope, receive, logged)

        try:
            headers = Headers(scope=scope)
            if self.api_key and path not in ("/", "/health") and not _authorised(headers, self.api_key):
                return await refuse(401, "missing or wrong API key: send 'Authorization: Bearer <QA_API_KEY>'")
            limit = MAX_UPLOAD_BYTES if path == "/v1/ingest" else MAX_BODY_BYTES
            too_big = f"request body larger than {limit // 2**20} MB"
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                return await refuse(413, too_big)
            received = 0

            async def counted():
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        over[0] = True
                        raise TooLarge(too_big)
                return message

            async def unless_over(message):
                if not over[0]:  # the app's own answer to a body cut short gives way to the 413
                    await logged(message)

            try:
                await self.app(scope, counted, unless_over)
            except TooLarge:
                pass
            except asyncio.CancelledError:  # the server stops and cancels what is left: its work was told to stop
                if not status[0]:
                    await refuse(503, "the server is stopping")
            if over[0] and not status[0]:
                await refuse(413, too_big)
        finally:
            log.info("%s %s %d %.0f ms", scope["method"], path, status[0],
                     1000 * (time.perf_counter() - started))  # one line, never a header: the key stays out of logs


class Relative:
    """Paths as a client should see them: relative to the index's roots (uploads to the index folder, other files
    to the folder all of them share), never the server's absolute paths; web pages keep their URLs."""

    def __init__(self, qa: QA):
        self.qa, self.key, self.root = qa, None, None

    def __call__(self, path: str) -> str:
        if not path or web.is_url(path):
            return path
        index_dir = self.qa.index_dir.resolve()
        if Path(path).is_relative_to(index_dir):
            return str(Path(path).relative_to(index_dir))
        root = self._root(index_dir)
        if root and Path(path).is_relative_to(root):
            return str(Path(path).relative_to(root))
        return Path(path).name

    def text(self, message: str) -> str:
        """A message (a skip reason) with the server's folders taken out of the paths it names."""
        index_dir = self.qa.index_dir.resolve()
        for folder in (index_dir, self._root(index_dir)):
            if folder is not None and str(folder) != "/":
                message = message.replace(f"{folder}/", "")
        return message

    def _root(self, index_dir: Path) -> Path | None:
        try:
            index = self.qa.index
            key = (id(index), len(index.files))
            if key != self.key:
                local = [p for p in index.files if not web.is_url(p) and not Path(p).is_relative_to(index_dir)]
                root = Path(os.path.commonpath(local)) if local else None
                self.key, self.root = key, root.parent if root and len(set(local)) == 1 else root
        except (QAError, ValueError):
            return None
        return self.root


class Docs:
    """``/docs`` without a CDN: Swagger UI served from the fastapi-offline package's own copy of its files (the page
    FastAPI makes loads them from a CDN, blank offline), or, without that package, a page linking the schema."""

    def mount(self, app: FastAPI) -> None:
        from fastapi.openapi.docs import get_swagger_ui_html

        assets = _swagger_assets()
        if assets is None:
            @app.get("/docs", include_in_schema=False)
            async def schema_only():
                return HTMLResponse("<!doctype html><title>qa API</title><h1>qa API</h1><p>The OpenAPI schema is at "
                                    "<a href='/openapi.json'>/openapi.json</a>.</p>")
            return
        from fastapi.staticfiles import StaticFiles

        app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

        @app.get("/docs", include_in_schema=False)
        async def swagger():
            return get_swagger_ui_html(openapi_url="/openapi.json", title="qa API",
                                       swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                       swagger_css_url="/docs-assets/swagger-ui.css",
                                       swagger_favicon_url="/docs-assets/favicon.png")


docs = Docs()


def _swagger_assets() -> str | None:
    """The folder holding swagger-ui-bundle.js and swagger-ui.css, found without importing the package."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "static"
    return str(folder) if (folder / "swagger-ui-bundle.js").is_file() else None


class Busy(Exception):
    """The model's queue is full."""


class Stopping(Exception):
    """The server is shutting down."""


class TooLarge(Exception):
    """A request body or an upload over its cap."""


def _generate(make_stream, cancelled: threading.Event) -> Answer | None:
    """Run an answer stream to its Answer on a worker thread that owns the model; None when the client went away
    first. The cancel event is read at every token, so a cancelled generation stops at its next token."""
    if cancelled.is_set():
        return None
    stream = make_stream()
    try:
        for item in stream:
            if cancelled.is_set():
                return None
            if isinstance(item, Answer):
                return item
    finally:
        stream.close()
    return None


def _conversation(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message, and the (question, answer) turns before it."""
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        raise InputError("the messages hold no user message")
    last = users[-1]
    turns, pending = [], None
    for m in messages[:last]:
        if m.role == "user":
            pending = m.text()
        elif m.role == "assistant" and pending is not None:
            turns.append((pending, m.text()))
            pending = None
    return messages[last].text(), turns


def _completion(answer: Answer, kind: str) -> dict:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": kind, "created": int(time.time()), "model": "qa",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": answer.prompt_tokens or 0, "completion_tokens": 0,
                  "total_tokens": answer.prompt_tokens or 0},
    }


def _extras(answer: Answer, paths=None) -> dict:
    return {"citations": [asdict(c) | ({"path": paths(c.path)} if paths else {})  # qa.Citation, as in Python
                          for c in answer.citations],
            "refused": answer.refused, "refusal": answer.refusal.value if answer.refusal else None,
            "refusal_reason": answer.refusal_reason,
            "calculations": [asdict(c) for c in answer.calculations]}


def _chunk(ident: str, created: int, delta: dict, finish: str | None = None) -> dict:
    return {"id": ident, "object": "chat.completion.chunk", "created": created, "model": "qa",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def _sse(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one line: where, and what was wrong."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(x) for x in error.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def _authorised(headers: Headers, api_key: str) -> bool:
    given = headers.get("authorization", "")
    token = given.removeprefix("Bearer ").strip() if given.startswith("Bearer ") else ""
    return hmac.compare_digest(token.encode(), api_key.encode())


async def _read_upload(upload, folder: Path) -> tuple[Path, bytes]:
    """Check one uploaded file before anything is written: a bare, supported name (a name with a folder in it,
    "../../etc/x.md", keeps only its last part, and the resolved path must stay in the folder), and a size that
    ingest would read."""
    name = Path((upload.filename or "").replace("\\", "/")).name
    if not name or name.startswith(".") or not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise InputError(f"cannot ingest {upload.filename!r}: upload .md, .txt, .html or .pdf files")
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise InputError(f"cannot ingest {upload.filename!r}: not a plain file name")
    limit = MAX_PDF_BYTES if name.lower().endswith(".pdf") else MAX_FILE_BYTES
    limit = min(limit, MAX_UPLOAD_BYTES)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{name} is larger than {limit // 2**20} MB")
    return target, data


def _write_upload(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def _remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass
