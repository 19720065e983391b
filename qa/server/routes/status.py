"""What this server serves, answered at once without a turn at the model: ``/health`` (the model, the index's size,
whether a folder is watched: the web page shows it) and OpenAI's ``/v1/models`` (the one model, "qa")."""

from __future__ import annotations

from fastapi import APIRouter

from ..state import QAIn, WatcherIn

router = APIRouter()


# Read from the index each time: a watched folder changes the counts while the server runs.
@router.get("/health")
async def health(qa: QAIn, watcher: WatcherIn):
    index = qa.index
    return {"status": "ok", "model": qa.llm.name, "articles": len(index.files), "passages": len(index),
            "watching": watcher is not None}


# One model whatever the backend: clients name "qa", and qa answers with its own checks.
@router.get("/v1/models")
async def models():
    return {"object": "list", "data": [{"id": "qa", "object": "model", "created": 0, "owned_by": "qa"}]}
