"""Stand-ins for what the server's parts are handed at run time, so each part is tested alone: a request that
is or is not still connected, and an Answer with one citation."""

from __future__ import annotations

from qa.answering.records import Answer, Citation, Refusal
from qa.retrieval.search import Passage
from qa.store.chunks import Chunk

TEXT = "Acme Aerospace ordered twelve zeppelins in March [1]."


class Request:
    """What the parts ask of a FastAPI request: only whether its client has gone."""

    def __init__(self, gone: bool = False):
        self.gone = gone

    async def is_disconnected(self) -> bool:
        return self.gone


def answer(text: str = TEXT, path: str = "/data/news/acme.md", refused: bool = False) -> Answer:
    """A checked answer citing one article at ``path``; a refusal names its signal, as qa's do."""
    chunk = Chunk(path, "Acme orders zeppelins", "2025-03-01", "wire", "", "Acme ordered.", 0)
    citations = [] if refused else [Citation(1, Passage(1, 0.03, 0.8, 0, chunk))]
    return Answer("Who ordered zeppelins?", text, refused, citations, "fake", {"total": 0.1}, prompt_tokens=42,
                  refusal=Refusal.SENTINEL if refused else None, refusal_reason="said none" if refused else "")
