"""What every passage store offers the rest of qa: the ``Store`` protocol, and the ``Fusion`` a store's search is
handed. The FAISS store (``qa.store.index.Index``) and the Milvus store (``qa.store.milvus.MilvusStore``) answer the
same questions in their own engines; retrieval, ingest, the API and the server ask only these."""

from __future__ import annotations

from typing import Protocol


class Fusion(Protocol):
    """How a store's rankings become one (``qa.retrieval.fusion``). Retrieval chooses it and passes it in, so that
    the stores, below retrieval, need not import it: a store that ranks in Python fuses with ``fuse``, one whose
    engine fuses (Milvus) hands ``k`` to the engine."""

    @property
    def k(self) -> int: ...

    def fuse(self, rankings: list[list[int]]) -> list[tuple[int, float]]: ...
