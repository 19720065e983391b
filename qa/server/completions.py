"""OpenAI's chat-completion format: a conversation read from its messages, a completion, and a stream of chunks
as server-sent events. The stream sends the checked answer in pieces after the role; its last chunk carries
``citations`` and ``refused``, which the openai SDK exposes as ``chunk.model_extra``."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator

from fastapi import Request
from fastapi.responses import StreamingResponse

from ..answering.records import Answer
from ..errors import InputError, QAError
from .answers import extras, generate
from .errors import STOPPING, Busy, Cancelled
from .gate import Gate
from .paths import Relative
from .schemas import Message

STREAM_PIECE_CHARS = 24


def conversation(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
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


def completion(answer: Answer, kind: str) -> dict:
    """A whole answer as OpenAI's chat completion (``kind`` is its ``object``)."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": kind, "created": int(time.time()), "model": "qa",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": answer.prompt_tokens or 0, "completion_tokens": 0,
                  "total_tokens": answer.prompt_tokens or 0},
    }


def chunk(ident: str, created: int, delta: dict, finish: str | None = None) -> dict:
    """One of a stream's chunks; every chunk of one stream has the same ``ident`` and ``created``."""
    return {"id": ident, "object": "chat.completion.chunk", "created": created, "model": "qa",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def answer_events(answer: Answer, ident: str, created: int, paths: Relative) -> Iterator[str]:
    """A checked answer as a stream's events: its text in pieces, then the last chunk with the extras, then the
    end of the stream."""
    text = answer.answer
    for start in range(0, len(text), STREAM_PIECE_CHARS):
        yield sse(chunk(ident, created, {"content": text[start:start + STREAM_PIECE_CHARS]}))
    yield sse(chunk(ident, created, {}, "stop") | extras(answer, paths))
    yield "data: [DONE]\n\n"


def sse(data: dict) -> str:
    """One server-sent event."""
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


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


def streamed(gate: Gate, request: Request, make_stream, paths: Relative) -> EventStream:
    """A chat completion as events: the worker takes its turn at the model now, whatever becomes of the response,
    and a full queue is ``Busy`` before a byte is sent."""
    if not gate.try_wait():
        raise Busy
    cancelled = threading.Event()
    future = gate.start(lambda: generate(make_stream, cancelled), cancelled)
    return EventStream(events(future, cancelled, request, gate.stopping, paths), cancelled,
                       media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def events(future: asyncio.Future, cancelled: threading.Event, request: Request, stopping: threading.Event,
                 paths: Relative):
    """SSE for a streamed chat completion: the role at once, then the checked answer, then the extras. However
    this generator ends (finished, client gone, cancelled, never started), the worker is told to stop; it
    frees the model itself once its generation has returned."""
    ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    try:
        yield sse(chunk(ident, created, {"role": "assistant"}))
        while not (await asyncio.wait({future}, timeout=0.25))[0]:
            if stopping.is_set():
                yield sse({"error": {"message": STOPPING}})
                return
            if await request.is_disconnected():
                cancelled.set()
                return
        answer = future.result()
        if answer is None:
            return
        for event in answer_events(answer, ident, created, paths):
            yield event
    except QAError as exc:
        yield sse({"error": {"message": str(exc)}})
    except Cancelled:
        return
    finally:
        cancelled.set()
