"""qa's own question endpoints, with the CLI's filters: ``/v1/search`` (passages, no model needed) and ``/v1/ask``
(an answer with its citations, in qa's ``Answer`` shape)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request

from ..answers import answered, extras
from ..schemas import AskRequest, SearchRequest
from ..state import GateIn, PathsIn, QAIn

router = APIRouter()


# Off the event loop but without a turn: a search reads one index generation whole.
@router.post("/v1/search", response_model=list[dict])
async def search(body: SearchRequest, qa: QAIn, paths: PathsIn):
    filters = body.filters()
    passages = await asyncio.to_thread(qa.search, body.query, body.k, filters)
    return [p.to_dict() | {"path": paths(p.path)} for p in passages]


# The answer as ``Answer.to_dict`` gives it, with the extras that make its paths a client's.
@router.post("/v1/ask")
async def ask(body: AskRequest, request: Request, qa: QAIn, gate: GateIn, paths: PathsIn):
    filters = body.filters()
    answer = await answered(gate, request, lambda: qa.stream(body.question, filters=filters))
    return answer.to_dict() | extras(answer, paths)
