"""The passage store: chunks, their vectors, a FAISS index, BM25 indexes and a manifest of file hashes.

Layout of an index folder::

    CURRENT          name of the live generation, replaced atomically
    gen-000007/      manifest.json, chunks.sqlite (qa.store.chunks), vectors.npy, dense.faiss, dead.npy,
                     bm25/ and bm25-new/ (qa.store.lexical)
    lock             held by the one ingest allowed at a time

An ingest never touches the live generation: it writes a new one beside it and then swaps ``CURRENT``,
so a crash at any moment leaves the previous index whole, and readers see the old or the new state.

Every passage has a slot, its id, the same in all the files. An ingest that changes a few articles does not
rebuild the generation (``publish_changes``): it copies the previous one's passages and vectors and appends
the new passages' slots, adds their vectors to the FAISS index, hard-links the BM25 index of the last full
write (immutable) and builds one of the passages added since. A removed passage keeps its slot, marked in
``dead.npy`` and left out of every search, until compaction: a full write (``publish``) of the live passages
only, due when removed or added slots pass ``COMPACT_SHARE``.
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
from . import lexical
from .base import Changes, Fusion
from .chunks import FILE_NAME as CHUNKS_FILE
from .chunks import Chunk, ChunkStore, Described
from .chunks import update as update_chunks
from .chunks import write as write_chunks
from .filters import Filters
from .lexical import Lexical

FORMAT_VERSION = 3  # 3: removed slots (dead.npy), BM25 of passages since the last full write (bm25-new/)
READABLE_FORMATS = (2, 3)  # 2: passages and file records in chunks.sqlite; read as 3 with no removed slots
HNSW_THRESHOLD = 100_000  # exact search below this many chunks, HNSW above (see benchmarks/README.md)
# The HNSW graph's shape: links per node, and candidates kept while building and searching it (recall@10 0.998
# at 100k passages and 0.969 at 1M, benchmarks/README.md). They belong to the written index, not to a setting:
# every process that opens a generation searches it alike.
HNSW_LINKS, HNSW_BUILD_CANDIDATES, HNSW_SEARCH_CANDIDATES = 32, 80, 128
# Compact when removed slots, or slots added since the last full write, would pass this share of all slots.
# Removed slots cost memory and disk, and BM25 counts them in its IDF; HNSW copes (recall@10 at 100k stays
# 1.000 with 20% of nodes removed, 0.999 with 50%). Added slots cost each ingest a BM25 build of them all
# (20% of 1M: about 10 s of a 60 s budget). Compaction costs a full write (4 to 8 minutes at 1M), at 20% due
# every ~66 ingests of 3,000 passages into 1M.
COMPACT_SHARE = 0.2


class Index:
    """One loaded generation of an index folder: read-only, safe to search from many threads."""

    def __init__(self, folder: Path, generation: Path):
        self.folder = folder
        self.generation = generation
        self.manifest = json.loads((generation / "manifest.json").read_text())
        if self.manifest.get("format") not in READABLE_FORMATS:
            raise IndexStateError(f"index at {folder} was written by an older qa (format "
                                  f"{self.manifest.get('format')}): rebuild it with 'qa ingest --rebuild PATH'")
        self.chunks = ChunkStore(generation)
        self.vectors = np.load(generation / "vectors.npy", mmap_mode="r")
        dead = generation / "dead.npy"
        self.dead = np.load(dead) if dead.exists() else np.zeros(len(self.vectors), bool)
        self._dead_ids = np.flatnonzero(self.dead)
        self._live_bits = np.packbits(~self.dead, bitorder="little") if len(self._dead_ids) else None  # for FAISS
        self._dense = None
        self._bm25 = None
        self._files: dict[str, dict] | None = None

    @classmethod
    def describe(cls, spec: str, folder: Path) -> str:
        return f"index {folder}"

    @classmethod
    def from_spec(cls, spec: str, folder: Path) -> Index:
        return cls.open(folder)

    @classmethod
    def for_update(cls, spec: str, folder: Path) -> Index | None:
        """The live generation, which an ingest adds to; None before the first ingest."""
        return None if current_generation(folder) is None else cls.open(folder)

    @classmethod
    def write(cls, spec: str, folder: Path, old: Index | None, changes: Changes) -> int:
        """The changes written as the next generation (``publish_update``), the ingest's settings in its manifest."""
        manifest = {"format": FORMAT_VERSION, "embedder": changes.embedder, "chunk_size": changes.chunk_size,
                    "chunk_overlap": changes.chunk_overlap, "files": changes.files}
        replaced = set(changes.updated) | set(changes.removed)
        return publish_update(folder, old, replaced, changes.chunks, changes.vectors, manifest)

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
        """The FAISS index, opened on first use with its vectors memory-mapped (as ``vectors.npy`` is): 0.02 s
        instead of 0.25 s at 200k passages, and the pages stay in the OS's cache across processes. Queries only:
        a write reads its own copy to add to."""
        if self._dense is None:
            import faiss

            self._dense = faiss.read_index(str(self.generation / "dense.faiss"), faiss.IO_FLAG_MMAP_IFC)
        return self._dense

    @property
    def bm25(self) -> Lexical:
        """The BM25 indexes, loaded on first use."""
        if self._bm25 is None:
            self._bm25 = Lexical.load(self.generation, self.compacted, self.slots)
        return self._bm25

    @property
    def slots(self) -> int:
        """Ids in use, removed passages' included: the length of the vectors, FAISS, BM25 and ``dead``."""
        return len(self.vectors)

    @property
    def compacted(self) -> int:
        """Slots written by the last full write; those after it were added by later ingests."""
        return self.manifest.get("compacted", self.slots)

    def chunk_ids(self, path: str) -> list[int]:
        """The chunks of one article, in reading order."""
        return self.chunks.ids_of(path)

    def __len__(self) -> int:
        """Live passages."""
        return len(self.chunks)

    def ranked(self, query_vector: np.ndarray, words: list[str], n: int, filters: Filters | None, fusion: Fusion,
               mode: str = "hybrid") -> list[tuple[int, float]]:
        """Chunk ids with fused scores, best first: the ``n`` best of each ranking ('dense', 'bm25' or both for
        'hybrid') among the chunks that pass ``filters``, fused by ``fusion``."""
        allowed = None
        if filters:
            allowed = self.allowed(filters)
            if not allowed.any():
                return []
        rankings = []
        if mode in ("hybrid", "dense"):
            rankings.append(self.dense_search(query_vector, n, allowed))
        if mode in ("hybrid", "bm25"):
            rankings.append(self.bm25_search(words, n, allowed))
        return fusion.fuse(rankings)

    def catalog(self) -> dict[str, Described]:
        return self.chunks.catalog()

    def allowed(self, filters: Filters) -> np.ndarray:
        """A boolean mask over the slots: True for a live passage passing ``filters`` (ChunkStore.allowed)."""
        return self.chunks.allowed(self.slots, filters)

    def dense_search(self, query_vector: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[int]:
        """Ids of the ``n`` live chunks nearest the query vector, among the ``allowed`` ones."""
        import faiss

        params = None
        bits = self._live_bits if allowed is None else np.packbits(allowed, bitorder="little")
        if bits is not None:
            selector = faiss.IDSelectorBitmap(bits)  # reads ``bits``, which stay referenced until the search ends
            params = faiss.SearchParameters(sel=selector)
            if isinstance(self.dense, faiss.IndexHNSW):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=self.dense.hnsw.efSearch)
        _, ids = self.dense.search(query_vector[None, :], min(n, self.slots), params=params)
        return [int(i) for i in ids[0] if i >= 0]

    def bm25_search(self, words: list[str], n: int, allowed: np.ndarray | None = None) -> list[int]:
        """Ids of the ``n`` best BM25 matches of the query's tokens (``qa.text.words.bm25_tokens``) that score,
        among the live and ``allowed`` ones."""
        if not words:
            return []
        scores = self.bm25.scores(words)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        scores[self._dead_ids] = 0.0
        return [int(i) for i in top_indices(scores, n) if scores[i] > 0]

    def similarities(self, ids: list[int], query_vector: np.ndarray) -> list[float]:
        """Cosine of each chunk to the query (vectors are normalised)."""
        return [float(x) for x in np.asarray(self.vectors[ids]) @ query_vector] if ids else []


def top_indices(scores: np.ndarray, n: int, stride: int = 64) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first, ties by index.

    Partitioning a million scores takes milliseconds. The ``n``-th best of every ``stride``-th score is a bound
    that at least ``n`` scores reach, so only the scores reaching it (about ``n * stride``) are partitioned.
    """
    ids = None
    if len(scores) > n * stride:
        ids = np.flatnonzero(scores >= _nth_highest(scores[::stride], n))
        scores = scores[ids]
    best = np.arange(len(scores))
    if len(scores) > n:
        nth = _nth_highest(scores, n)
        best = np.concatenate([np.flatnonzero(scores > nth), np.flatnonzero(scores == nth)])[:n]
    best = best[np.lexsort((best, -scores[best]))]
    return best if ids is None else ids[best]


def _nth_highest(values: np.ndarray, n: int):
    return np.partition(values, len(values) - n)[len(values) - n]


def outdated(folder: Path) -> bool:
    """True when an index at ``folder`` was written by an older qa. Indexes that qa owns as caches (those of
    ``qa eval``) are rebuilt then; a user's index gets the one-line request to rebuild it."""
    generation = current_generation(Path(folder))
    if generation is None or not (generation / "manifest.json").is_file():
        return False
    return json.loads((generation / "manifest.json").read_text()).get("format") not in READABLE_FORMATS


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
        dense = faiss.IndexHNSWFlat(dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
        dense.hnsw.efConstruction = HNSW_BUILD_CANDIDATES
        dense.hnsw.efSearch = HNSW_SEARCH_CANDIDATES
    dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return dense


def bm25_text(chunk: Chunk | None) -> str:
    """What BM25 reads of a passage; nothing of a removed one."""
    return chunk.indexed_text if chunk else ""


def compaction_due(old: Index, dropped: int, added: int) -> bool:
    """Whether an ingest that removes ``dropped`` passages of ``old`` and adds ``added`` should write the whole
    generation (``publish``) rather than its changes: removed or added slots past ``COMPACT_SHARE`` of them
    all, or exact search grown past ``HNSW_THRESHOLD``."""
    slots = old.slots + added
    changed = max(int(old.dead.sum()) + dropped, slots - old.compacted)
    return changed > COMPACT_SHARE * slots or old.compacted < HNSW_THRESHOLD <= slots


def publish_update(folder: Path, old: Index | None, removed: set[str], chunks: list[Chunk], vectors: np.ndarray,
                   manifest: dict) -> int:
    """Write the generation an ingest makes: ``old`` (if any) without the passages of the ``removed`` paths and
    with ``chunks`` added; ``manifest["files"]`` holds the records of the articles added or changed. Written as
    changes while they are few, else whole from the live passages (compaction). Returns the live passages."""
    dropped = sum(len(old.chunk_ids(path)) for path in removed) if old else 0
    if old is not None and not compaction_due(old, dropped, len(chunks)):
        publish_changes(folder, old, removed, chunks, vectors, manifest)
        return len(old) - dropped + len(chunks)
    kept = [(i, c) for i, c in old.chunks.numbered() if c.path not in removed] if old else []
    kept_vectors = old.vectors[[i for i, _ in kept]] if old else np.zeros((0, vectors.shape[1]), np.float32)
    files = {**{p: meta for p, meta in (old.files.items() if old else []) if p not in removed}, **manifest["files"]}
    publish(folder, [c for _, c in kept] + chunks, np.vstack([kept_vectors, vectors]).astype(np.float32),
            {**manifest, "files": files})
    return len(kept) + len(chunks)


def publish(folder: Path, chunks: list[Chunk], vectors: np.ndarray, manifest: dict) -> None:
    """Write a complete generation under a temporary name, then make it live with one atomic rename."""
    import faiss

    tmp = _new_folder(folder)
    write_chunks(tmp, chunks, manifest.get("files", {}))
    np.save(tmp / "vectors.npy", vectors)
    faiss.write_index(build_dense(vectors), str(tmp / "dense.faiss"))
    np.save(tmp / "dead.npy", np.zeros(len(vectors), bool))
    lexical.write(tmp / lexical.BASE, [bm25_text(c) for c in chunks])
    _go_live(folder, tmp, {**manifest, "compacted": len(vectors)})


def publish_changes(folder: Path, old: Index, removed: set[str], chunks: list[Chunk], vectors: np.ndarray,
                    manifest: dict) -> None:
    """Write a generation that is ``old`` without the passages of the ``removed`` paths and with ``chunks``
    added, in new slots after its own; ``manifest["files"]`` holds the records of the articles added or changed.
    Reads and copies ``old``'s files, never changes them: readers have them open."""
    tmp = _new_folder(folder)
    shutil.copyfile(old.generation / CHUNKS_FILE, tmp / CHUNKS_FILE)
    dropped = update_chunks(tmp, removed, chunks, old.slots, manifest.get("files", {}))
    dead = np.concatenate([old.dead, np.zeros(len(chunks), bool)])
    dead[dropped] = True
    np.save(tmp / "dead.npy", dead)
    _append_vectors(tmp, old, vectors)
    _add_to_dense(tmp, old, vectors)
    if (old.generation / lexical.BASE).is_dir():
        shutil.copytree(old.generation / lexical.BASE, tmp / lexical.BASE, copy_function=os.link)
    since = dict(ChunkStore(tmp).numbered(old.compacted))
    lexical.write(tmp / lexical.NEW, [bm25_text(since.get(i)) for i in range(old.compacted, len(dead))])
    _go_live(folder, tmp, {**manifest, "compacted": old.compacted})


def _append_vectors(tmp: Path, old: Index, vectors: np.ndarray) -> None:
    """``old``'s vectors, then ``vectors``, written through a memory map rather than gathered in memory first."""
    shape = (old.slots + len(vectors), vectors.shape[1])
    merged = np.lib.format.open_memmap(tmp / "vectors.npy", "w+", np.float32, shape)
    merged[:old.slots] = old.vectors
    merged[old.slots:] = vectors
    merged.flush()


def _add_to_dense(tmp: Path, old: Index, vectors: np.ndarray) -> None:
    """A copy of ``old``'s FAISS index with ``vectors`` added (to its HNSW graph when it is one)."""
    import faiss

    dense = faiss.read_index(str(old.generation / "dense.faiss"))
    dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(dense, str(tmp / "dense.faiss"))


def _new_folder(folder: Path) -> Path:
    tmp = folder / f"tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    return tmp


def _go_live(folder: Path, tmp: Path, manifest: dict) -> None:
    """Write the manifest last, make the generation durable, then live with one atomic rename."""
    manifest = {key: value for key, value in manifest.items() if key != "files"}
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
        _fsync(path)  # folders too: the names in them
    _fsync(folder)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
