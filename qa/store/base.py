"""What every passage store offers the rest of qa: the ``Store`` protocol, and the ``Fusion`` a store's search is
handed. The FAISS store (``qa.store.index.Index``) and the Milvus store (``qa.store.milvus.MilvusStore``) answer the
same questions in their own engines; retrieval, ingest, the API and the server ask only these, so they work alike
over either."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Self

import numpy as np

from .chunks import Chunk, Described
from .filters import Filters


class Fusion(Protocol):
    """How a store's rankings become one (``qa.retrieval.fusion``). Retrieval chooses it and passes it in, so that
    the stores, below retrieval, need not import it: a store that ranks in Python fuses with ``fuse``, one whose
    engine fuses (Milvus) hands ``k`` to the engine."""

    @property
    def k(self) -> int: ...

    def fuse(self, rankings: list[list[int]]) -> list[tuple[int, float]]: ...


class Passages(Protocol):
    """A store's passages by id (``chunks[i]``, what the ranking's ids are turned into) and all of them in id
    order (the word frequencies of ``qa.retrieval.context``)."""

    def __getitem__(self, chunk_id: int) -> Chunk: ...

    def __iter__(self) -> Iterator[Chunk]: ...

    def __len__(self) -> int: ...


@dataclass
class Changes:
    """What an ingest writes to a store: the new passages (``chunks``) with their ``vectors``, the articles they come
    from (``files``: path to content hash and title), the articles ``updated`` or ``removed`` whose older passages
    go, and what made the passages (``embedder``: name and dim; the chunk sizes). ``rebuild`` drops all else."""

    chunks: list[Chunk]
    vectors: np.ndarray
    files: dict[str, dict]
    updated: list[str]
    removed: list[str]
    embedder: dict
    chunk_size: int
    chunk_overlap: int
    rebuild: bool = False


class Store(Protocol):
    """A passage store: what retrieval, the API, the server and an ingest ask of it. The class methods are
    asked of the class that ``qa.store.store_class`` finds for an ``index.store`` setting (``spec``), before a store
    is open; ``folder`` is the index folder, where the FAISS store lives."""

    @classmethod
    def describe(cls, spec: str, folder: Path) -> str:
        """Where the passages are, for messages ('index FOLDER', 'Milvus store ADDRESS'), without opening them."""

    @classmethod
    def from_spec(cls, spec: str, folder: Path) -> Self:
        """The store, open for queries; a one-line error when it cannot be opened."""

    @classmethod
    def for_update(cls, spec: str, folder: Path) -> Self | None:
        """The store as an ingest finds it, to compare files with and add to; None while it holds nothing."""

    @classmethod
    def write(cls, spec: str, folder: Path, old: Self | None, changes: Changes) -> int:
        """Write an ingest's ``changes`` over ``old`` (what ``for_update`` found; None when rebuilding), so that
        readers see the store before or after them; returns the live passages."""

    @property
    def chunks(self) -> Passages:
        """The passages by id."""

    @property
    def files(self) -> dict[str, dict]:
        """Each article's path with its content hash and title: what an ingest compares the files it reads
        against, and what the server counts."""

    def __len__(self) -> int:
        """Live passages; 0 when there is nothing to search."""

    def check_embedder(self, name: str, dim: int | None = None) -> None:
        """Raise a one-line ``IndexStateError`` when the store was built with another embedding model: its vectors
        would not compare with the query's."""

    def ranked(self, query_vector: np.ndarray, words: list[str], n: int, filters: Filters | None, fusion: Fusion,
               mode: str = "hybrid") -> list[tuple[int, float]]:
        """Passage ids with fused scores, best first: the ``n`` best of each ranking ('dense' by ``query_vector``,
        'bm25' by the query's ``words``, both for 'hybrid') among the passages that pass ``filters``, fused by
        ``fusion``."""

    def similarities(self, ids: list[int], query_vector: np.ndarray) -> list[float]:
        """Cosine of each passage to the query: fused scores are ranks, and the answer's relevance threshold
        needs a measure of how close the best passage is."""

    def catalog(self) -> dict[str, Described]:
        """Each article's title, company and period by path: what a question's company and years are matched
        against (``qa.retrieval.filings``)."""

    def chunk_ids(self, path: str) -> list[int]:
        """One article's passage ids in reading order: context reads whole articles, not only the passages
        retrieved."""
