"""OpenAI's ``/v1/chat/completions``: a conversation in, its last question answered from the articles, whole or
as a stream. A follow-up is rewritten to stand alone before the search (``qa.answering.condense``)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ...answering.condense import standalone
from ..answers import answered, extras
from ..completions import completion, conversation, streamed
from ..schemas import ChatRequest
from ..state import GateIn, PathsIn, QAIn

router = APIRouter()


# A bad conversation or filter fails here, as a status, before a stream could begin.
@router.post("/v1/chat/completions")
async def chat(body: ChatRequest, request: Request, qa: QAIn, gate: GateIn, paths: PathsIn):
    question, turns = conversation(body.messages)
    filters = body.filters.filters() if body.filters else None

    def stream():
        searched = standalone(qa.llm, turns, question, qa.settings.answer.history_turns) if turns else None
        return qa.stream(question, filters=filters, searched=searched)

    if body.stream:
        return streamed(gate, request, stream, paths)
    answer = await answered(gate, request, stream)
    return {**completion(answer, "chat.completion"), **extras(answer, paths)}
