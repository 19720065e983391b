"""Answers over HTTP: a generation run whole on the model's thread, and the fields beyond its text that every
answering endpoint sends. Answers are generated whole and checked before a word is sent, also when streaming: the
checks may refuse a draft or put a computed figure and its working in, and a client must never have shown what qa
then withdraws."""

from __future__ import annotations

import threading
from dataclasses import asdict

from fastapi import Request

from ..answering.records import Answer
from .errors import Cancelled
from .gate import Gate, with_model
from .paths import Relative


def generate(make_stream, cancelled: threading.Event) -> Answer | None:
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


async def answered(gate: Gate, request: Request, make_stream) -> Answer:
    """The Answer of ``make_stream()`` when the model is free; ``Cancelled`` when the client went away first."""
    result = await with_model(gate, request, lambda cancelled: generate(make_stream, cancelled))
    if result is None:
        raise Cancelled
    return result


def extras(answer: Answer, paths: Relative) -> dict:
    """What an answer carries beyond its text: citations (as ``qa.Citation`` is in Python, with the path a client
    may see), whether and why it was refused, and the working of computed figures."""
    return {"citations": [c.to_dict() | {"path": paths(c.path)} for c in answer.citations],
            "refused": answer.refused, "refusal": answer.refusal.value if answer.refusal else None,
            "refusal_reason": answer.refusal_reason,
            "calculations": [asdict(c) for c in answer.calculations]}
