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
import json
import logging
import threading
import time
import uuid
from dataclasses import asdict
from importlib.resources import files
from ipaddress import ip_address
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from .answering.answer import Answer
from .api import QA
from .chat import standalone
from .errors import InputError, QAError
from .ingest.documents import SUPPORTED_SUFFIXES
from .retrieval.search import Filters

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


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # OpenAI's content parts: keep the text ones
            return " ".join(p.get("text", "") for p in self.content if isinstance(p, dict))
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
    """Turns at the one model: ``enter`` waits while another request runs, or refuses when ``queue`` already
    wait. A thread lock, so a request keeps its turn while its generation runs on a worker thread."""

    def __init__(self, queue: int):
        self.queue, self.waiting, self.lock, self.count = queue, 0, threading.Lock(), threading.Lock()

    def try_wait(self) -> bool:
        with self.count:
            if self.lock.locked() and self.waiting >= self.queue:
                return False
            self.waiting += 1
            return True

    def acquire(self) -> None:
        self.lock.acquire()
        with self.count:
            self.waiting -= 1

    def release(self) -> None:
        self.lock.release()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(qa: QA, *, api_key: str | None = None, queue: int = 4) -> FastAPI:
    app = FastAPI(title="qa", description="Answers with checked citations from your articles.", version="1")
    gate = Gate(queue)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        started = time.perf_counter()
        response = await _guarded(request, call_next)
        log.info("%s %s %d %.0f ms", request.method, request.url.path, response.status_code,
                 1000 * (time.perf_counter() - started))  # one line, never a header: the key stays out of logs
        return response

    async def _guarded(request: Request, call_next):
        if api_key and request.url.path not in ("/", "/health") and not _authorised(request, api_key):
            return _error(401, "missing or wrong API key: send 'Authorization: Bearer <QA_API_KEY>'")
        limit = MAX_UPLOAD_BYTES if request.url.path == "/v1/ingest" else MAX_BODY_BYTES
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return _error(413, f"request body larger than {limit // 2**20} MB")
        return await call_next(request)

    @app.exception_handler(QAError)
    async def user_error(request: Request, exc: QAError):
        return _error(400, str(exc))

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        return _error(503, "the model is busy with other requests; try again shortly", {"Retry-After": "5"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page():
        return HTMLResponse(files("qa").joinpath("web/index.html").read_text(encoding="utf-8"))

    @app.get("/health")
    async def health():
        index = qa.index
        return {"status": "ok", "model": qa.llm.name, "articles": len(index.files), "passages": len(index)}

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": "qa", "object": "model", "created": 0, "owned_by": "qa"}]}

    @app.post("/v1/search", response_model=list[dict])
    async def search(body: SearchRequest):
        passages = await asyncio.to_thread(qa.search, body.query, body.k, body.filters())
        return [p.to_dict() for p in passages]

    @app.post("/v1/ask")
    async def ask(body: AskRequest):
        answer = await _answer(lambda: qa.stream(body.question, filters=body.filters()))
        return answer.to_dict()

    @app.post("/v1/chat/completions")
    async def chat(body: ChatRequest, request: Request):
        question, turns = _conversation(body.messages)
        filters = body.filters.filters() if body.filters else None

        def stream():
            searched = standalone(qa, turns, question) if turns else None
            return qa.stream(question, filters=filters, searched=searched)

        if not body.stream:
            answer = await _answer(stream)
            return {**_completion(answer, "chat.completion"), **_extras(answer)}
        if not gate.try_wait():
            raise Busy
        return StreamingResponse(_events(stream, request), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.post("/v1/ingest")
    async def ingest(files_: list[UploadFile] = File(alias="files")):
        folder = qa.index_dir / "uploads"
        written = [await _save_upload(upload, folder) for upload in files_]
        report = await _with_model(lambda: qa.ingest(written))
        return asdict(report) | {"skipped": [list(s) for s in report.skipped]}

    async def _with_model(work):
        if not gate.try_wait():
            raise Busy
        await asyncio.to_thread(gate.acquire)
        try:
            return await asyncio.to_thread(work)
        finally:
            gate.release()

    async def _answer(make_stream) -> Answer:
        return await _with_model(lambda: _generate(make_stream, threading.Event()))

    async def _events(make_stream, request: Request):
        """SSE for a streamed chat completion: the role at once, then the checked answer, then the extras."""
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        cancelled = threading.Event()
        await asyncio.to_thread(gate.acquire)
        try:
            yield _sse(_chunk(ident, created, {"role": "assistant"}))
            task = asyncio.create_task(asyncio.to_thread(_generate, make_stream, cancelled))
            while not task.done():
                if await request.is_disconnected():
                    cancelled.set()  # the worker stops at the model's next token and frees the model
                    await task
                    return
                await asyncio.wait({task}, timeout=0.25)
            answer = task.result()
            if answer is None:
                return
            text = answer.answer
            for start in range(0, len(text), STREAM_PIECE_CHARS):
                yield _sse(_chunk(ident, created, {"content": text[start:start + STREAM_PIECE_CHARS]}))
            yield _sse(_chunk(ident, created, {}, "stop") | _extras(answer))
            yield "data: [DONE]\n\n"
        except QAError as exc:
            yield _sse({"error": {"message": str(exc)}})
        finally:
            gate.release()

    return app


class Busy(Exception):
    """The model's queue is full."""


def _generate(make_stream, cancelled: threading.Event) -> Answer | None:
    """Run an answer stream to its Answer on a worker thread; None when the client went away first."""
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


def _extras(answer: Answer) -> dict:
    return {"citations": [asdict(c) for c in answer.citations],  # qa.Citation, as the Python API gives it
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


def _authorised(request, api_key: str) -> bool:
    given = request.headers.get("authorization", "")
    token = given.removeprefix("Bearer ").strip() if given.startswith("Bearer ") else ""
    return hmac.compare_digest(token.encode(), api_key.encode())


async def _save_upload(upload, folder: Path) -> Path:
    """Write one uploaded file into the index's uploads folder under its bare name: a name with a folder in it
    ("../../etc/x.md") keeps only its last part, and the resolved path must stay in the folder."""
    name = Path((upload.filename or "").replace("\\", "/")).name
    if not name or name.startswith(".") or not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise InputError(f"cannot ingest {upload.filename!r}: upload .md, .txt, .html or .pdf files")
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise InputError(f"cannot ingest {upload.filename!r}: not a plain file name")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"{name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    tmp = target.with_name(f".{name}.{uuid.uuid4().hex[:8]}.part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target
