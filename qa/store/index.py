"""The passage store: chunks, their vectors, a FAISS index, a BM25 index and a manifest of file hashes.

Layout of an index folder::

    CURRENT          name of the live generation, replaced atomically
    gen-000007/      manifest.json, chunks.sqlite (qa.store.chunks), vectors.npy, dense.faiss, bm25/
    lock             held by the one ingest allowed at a time

An ingest never touches the live generation: it writes a new one beside it and then swaps ``CURRENT``,
so a crash at any moment leaves the previous index whole, and readers see the old or the new state.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import time
import uuid
from pathlib import Path

import numpy as np

from ..errors import IndexStateError
from .chunks import Chunk, ChunkStore, heading  # noqa: F401  (Chunk and heading: the store's record type)
from .chunks import write as write_chunks
from .filters import Filters, fuse
from ..text.words import bm25_tokens

FORMAT_VERSION = 2  # 2: passages and file records in chunks.sqlite (1: chunks.jsonl and the manifest)
HNSW_THRESHOLD = 100_000  # exact search below this many chunks, HNSW above (see benchmarks/README.md)


class Index:
    """One loaded generation of an index folder: read-only, safe to search from many threads."""

    def __init__(self, folder: Path, generation: Path):
        self.folder = folder
        self.generation = generation
        self.manifest = json.loads((generation / "manifest.json").read_text())
        if self.manifest.get("format") != FORMAT_VERSION:
            raise IndexStateError(f"index at {folder} was written by an older qa (format "
                                  f"{self.manifest.get('format')}): rebuild it with 'qa ingest --rebuild PATH'")
        self.chunks = ChunkStore(generation)
        self.vectors = np.load(generation / "vectors.npy", mmap_mode="r")
        self._dense = None
        self._bm25 = None
        self._files: dict[str, dict] | None = None

    @classmethod
    def open(cls, folder: Path, embedder_name: str | None = None) -> "Index":
        """Open the live generation; raise a one-line error for a missing or foreign index."""
        folder = Path(folder)
        for _ in range(3):  # the generation named by CURRENT may be swept by a finishing ingest; reread it
            generation = current_generation(folder)
            if generation is None:
                raise IndexStateError(f"no index at {folder}: run 'qa ingest PATH' first")
            try:
                index = cls(folder, generation)
                break
            except (FileNotFoundError, sqlite3.OperationalError):  # swept between reading CURRENT and opening
                time.sleep(0.05)
        else:
            raise IndexStateError(f"index at {folder} is changing too fast to open; try again")
        if embedder_name is not None:
            index.check_embedder(embedder_name)
        return index

    def check_embedder(self, name: str, dim: int | None = None) -> None:
        built = self.manifest["embedder"]
        if built["name"] != name or (dim is not None and built["dim"] != dim):
            raise IndexStateError(
                f"index at {self.folder} was built with embedding model {built['name']} ({built['dim']} dims), "
                f"not {name}: rebuild it with 'qa ingest --rebuild' or choose that model"
            )

    @property
    def files(self) -> dict[str, dict]:
        """Each ingested article's path with its content hash and title."""
        if self._files is None:
            self._files = self.chunks.files()
        return self._files

    @property
    def dense(self):
        """The FAISS index, loaded on first use."""
        if self._dense is None:
            import faiss

            self._dense = faiss.read_index(str(self.generation / "dense.faiss"))
        return self._dense

    @property
    def bm25(self):
        """The BM25 index, loaded on first use."""
        if self._bm25 is None:
            import bm25s

            self._bm25 = bm25s.BM25.load(str(self.generation / "bm25"), mmap=False)
        return self._bm25

    def chunk_ids(self, path: str) -> list[int]:
        """The chunks of one article, in reading order."""
        return self.chunks.ids_of(path)

    def __len__(self) -> int:
        return len(self.chunks)

    def ranked(self, query_vector: np.ndarray, words: list[str], n: int, filters: Filters | None, rrf_k: int,
               mode: str = "hybrid") -> list[tuple[int, float]]:
        """Chunk ids with fused scores, best first: the ``n`` best of each ranking ('dense', 'bm25' or both for
        'hybrid') among the chunks that pass ``filters``, fused by reciprocal rank."""
        allowed = None
        if filters:
            allowed = self.chunks.allowed(source=filters.source, date_from=filters.date_from, date_to=filters.date_to,
                                          title=filters.title, company=filters.company)
            if not allowed.any():
                return []
        rankings = []
        if mode in ("hybrid", "dense"):
            rankings.append(self.dense_search(query_vector, n, allowed))
        if mode in ("hybrid", "bm25"):
            rankings.append(self.bm25_search(words, n, allowed))
        return fuse(rankings, rrf_k)

    def dense_search(self, query_vector: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[int]:
        """Ids of the ``n`` chunks nearest the query vector, among the ``allowed`` ones."""
        import faiss

        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64))
            params = faiss.SearchParameters(sel=selector)
            if isinstance(self.dense, faiss.IndexHNSW):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=self.dense.hnsw.efSearch)
        _, ids = self.dense.search(query_vector[None, :], min(n, len(self)), params=params)
        return [int(i) for i in ids[0] if i >= 0]

    def bm25_search(self, words: list[str], n: int, allowed: np.ndarray | None = None) -> list[int]:
        """Ids of the ``n`` best BM25 matches of the query's tokens (``qa.text.words.bm25_tokens``) that score."""
        if not words:
            return []
        scores = self.bm25.get_scores(words)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        return [int(i) for i in top_indices(scores, n) if scores[i] > 0]

    def similarities(self, ids: list[int], query_vector: np.ndarray) -> list[float]:
        """Cosine of each chunk to the query (vectors are normalised)."""
        return [float(x) for x in np.asarray(self.vectors[ids]) @ query_vector] if ids else []


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first (ties by index): a partition, not a sort of all chunks."""
    if len(scores) > n:
        part = np.argpartition(-scores, n - 1)[:n]
        return part[np.lexsort((part, -scores[part]))]
    return np.argsort(-scores, kind="stable")


def outdated(folder: Path) -> bool:
    """True when an index at ``folder`` was written by an older qa. Indexes that qa owns as caches (those of
    ``qa eval``) are rebuilt then; a user's index gets the one-line request to rebuild it."""
    generation = current_generation(Path(folder))
    if generation is None or not (generation / "manifest.json").is_file():
        return False
    return json.loads((generation / "manifest.json").read_text()).get("format") != FORMAT_VERSION


def current_generation(folder: Path) -> Path | None:
    try:
        name = (folder / "CURRENT").read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return folder / name


class Lock:
    """An exclusive, non-blocking lock on the index folder; a second ingest gets a clear message."""

    def __init__(self, folder: Path):
        self.path = folder / "lock"

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise IndexStateError(f"another ingest is writing to {self.path.parent}; wait for it to finish") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def build_dense(vectors: np.ndarray, hnsw: bool | None = None):
    """Exact inner-product search for small indexes; HNSW once exact search gets slow (or as ``hnsw`` says)."""
    import faiss

    dim = vectors.shape[1]
    if hnsw is None:
        hnsw = len(vectors) >= HNSW_THRESHOLD
    if not hnsw:
        dense = faiss.IndexFlatIP(dim)
    else:
        dense = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        dense.hnsw.efConstruction = 80
        dense.hnsw.efSearch = 128
    dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return dense


def build_bm25(chunks: list[Chunk]):
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25_tokens([f"{c.heading}\n{c.text}" for c in chunks]), show_progress=False)
    return retriever


def publish(folder: Path, chunks: list[Chunk], vectors: np.ndarray, manifest: dict) -> None:
    """Write a complete generation under a temporary name, then make it live with one atomic rename."""
    import faiss

    tmp = folder / f"tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    write_chunks(tmp, chunks, manifest.get("files", {}))
    manifest = {key: value for key, value in manifest.items() if key != "files"}
    np.save(tmp / "vectors.npy", vectors)
    faiss.write_index(build_dense(vectors), str(tmp / "dense.faiss"))
    if chunks:
        build_bm25(chunks).save(str(tmp / "bm25"))
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
    _fsync_tree(tmp)
    previous = current_generation(folder)
    number = int(previous.name.split("-")[1]) + 1 if previous else 1
    live = folder / f"gen-{number:06d}"
    os.rename(tmp, live)
    pointer = folder / "CURRENT.tmp"
    pointer.write_text(live.name)
    _fsync(pointer)
    os.replace(pointer, folder / "CURRENT")
    _fsync(folder)
    sweep(folder, keep={live.name, previous.name if previous else ""})


def sweep(folder: Path, keep: set[str] | None) -> None:
    """Remove leftovers of crashed ingests and generations no reader can still be opening.

    The previous generation is kept for one round, for readers that read CURRENT just before the swap.
    """
    if not folder.exists():
        return
    live = current_generation(folder)
    keep = keep if keep is not None else set()
    for entry in folder.iterdir():
        stale_tmp = entry.name.startswith("tmp-")
        old_gen = entry.name.startswith("gen-") and keep and entry.name not in keep
        if (stale_tmp or old_gen) and (live is None or entry.name != live.name):
            shutil.rmtree(entry, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            _fsync(path)
    _fsync(folder)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
