"""The on-disk index: chunks, their vectors, a FAISS index, a BM25 index and a manifest of file hashes.

Layout of an index folder::

    CURRENT          name of the live generation, replaced atomically
    gen-000007/      manifest.json, chunks.jsonl, vectors.npy, dense.faiss, bm25/
    lock             held by the one ingest allowed at a time

An ingest never touches the live generation: it writes a new one beside it and then swaps ``CURRENT``,
so a crash at any moment leaves the previous index whole, and readers see the old or the new state.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .documents import Article, SkipFile, content_hash, discover, parse, read_bytes
from .embedding import Embedder
from .errors import IndexStateError, InputError
from .safety import injection_reason

FORMAT_VERSION = 1
HNSW_THRESHOLD = 100_000  # exact search below this many chunks, HNSW above (see benchmarks/README.md)
Progress = Callable[[int, int], None]


@dataclass
class Chunk:
    """A passage of an article, with the article's metadata, as stored in the index."""

    path: str
    title: str
    date: str
    source: str
    url: str
    text: str
    ordinal: int
    flagged: bool = False  # the article addresses AI models (see qa.safety): searchable, never used to answer


@dataclass
class IngestReport:
    """What an ingest changed; ``skipped`` holds (path, reason) for files that could not be read."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    total_chunks: int = 0
    total_files: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


class Index:
    """One loaded generation of an index folder: read-only, safe to search from many threads."""

    def __init__(self, folder: Path, generation: Path):
        self.folder = folder
        self.generation = generation
        self.manifest = json.loads((generation / "manifest.json").read_text())
        with open(generation / "chunks.jsonl", encoding="utf-8") as fh:
            self.chunks = [Chunk(**json.loads(line)) for line in fh]
        self.vectors = np.load(generation / "vectors.npy", mmap_mode="r")
        self._dense = None
        self._bm25 = None
        self._by_path: dict[str, list[int]] | None = None

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
            except FileNotFoundError:
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
        return self.manifest["files"]

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
        if self._by_path is None:
            self._by_path = {}
            for i, chunk in enumerate(self.chunks):
                self._by_path.setdefault(chunk.path, []).append(i)
        return self._by_path.get(path, [])

    def __len__(self) -> int:
        return len(self.chunks)


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


def ingest(
    paths: list[Path], folder: Path, embedder: Embedder, *, chunk_size: int = 180, chunk_overlap: int = 30,
    rebuild: bool = False, progress: Progress | None = None, warn: Callable[[str], None] | None = None,
) -> IngestReport:
    """Bring the index at ``folder`` in line with ``paths``: add new files, replace changed ones, drop gone ones.

    Unchanged files (same sha256) cost a read and a hash, nothing more. Raises InputError when a path is
    missing or nothing readable was found, before anything is written.
    """
    folder = Path(folder)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputError(f"no such file or folder: {missing[0]}")
    files, folders = discover([Path(p) for p in paths])
    with Lock(folder):
        _sweep(folder, keep=None)
        old = None if rebuild else _open_for_update(folder, embedder)
        report = IngestReport()
        old_files = dict(old.files) if old else {}
        articles: list[Article] = []
        kept_paths: set[str] = set()
        for path in files:
            key = str(path)
            try:
                data = read_bytes(path)
                digest = content_hash(data)
                if old_files.get(key, {}).get("sha256") == digest:
                    kept_paths.add(key)
                    report.unchanged += 1
                    continue
                articles.append(parse(path, data))
            except (SkipFile, OSError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                report.skipped.append((key, reason))
                if warn:
                    warn(f"skipped {key}: {reason}")
                continue
            (report.updated if key in old_files else report.added).append(key)
            if warn and (reason := injection_reason(articles[-1].text)):
                warn(f"{key} gives instructions to AI models ('{reason}'); "
                     "it stays searchable but will not be used for answers")
        if not files or (not articles and not kept_paths and not old_files):
            where = ", ".join(str(p) for p in paths)
            raise InputError(f"no readable .md, .txt or .html files in {where}")
        gone = [p for p in old_files if p not in kept_paths and _under(p, folders) and p not in report.updated]
        report.removed = [p for p in gone if p not in {str(f) for f in files}]
        if not report.changed and old is not None:
            report.total_chunks, report.total_files = len(old), len(old_files)
            return report
        _write_generation(folder, old, articles, report, embedder, chunk_size, chunk_overlap, progress)
        return report


def _open_for_update(folder: Path, embedder: Embedder) -> Index | None:
    if current_generation(folder) is None:
        return None
    index = Index.open(folder)
    index.check_embedder(embedder.name, embedder.dim)
    return index


def _under(path: str, folders: list[Path]) -> bool:
    return any(Path(path).is_relative_to(f) for f in folders)


def _write_generation(folder, old, articles, report, embedder, chunk_size, chunk_overlap, progress) -> None:
    replaced = set(report.updated) | set(report.removed)
    keep_rows = [i for i, c in enumerate(old.chunks) if c.path not in replaced] if old else []
    chunks = [old.chunks[i] for i in keep_rows] if old else []
    old_vectors = np.asarray(old.vectors[keep_rows]) if old else np.zeros((0, embedder.dim), np.float32)
    new_chunks = [c for a in articles for c in split_article(a, embedder, chunk_size, chunk_overlap)]
    new_vectors = _embed(embedder, [embedding_text(c) for c in new_chunks], progress)
    chunks += new_chunks
    vectors = np.vstack([old_vectors, new_vectors]).astype(np.float32)
    files = {p: meta for p, meta in (old.files.items() if old else []) if p not in replaced}
    files.update({a.path: {"sha256": a.sha256, "title": a.title} for a in articles})
    report.chunks_embedded = len(new_chunks)
    report.total_chunks, report.total_files = len(chunks), len(files)
    manifest = {
        "format": FORMAT_VERSION,
        "embedder": {"name": embedder.name, "dim": embedder.dim},
        "chunk_size": chunk_size, "chunk_overlap": chunk_overlap, "files": files,
    }
    _publish(folder, chunks, vectors, manifest)


def split_article(article: Article, embedder: Embedder, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Sentence-aware chunks sized in the embedder's own word pieces, so none is cut off when embedded."""
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(
        chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=embedder.count_tokens,
        paragraph_separator="\n\n",
    )
    flagged = bool(injection_reason(article.text))
    return [
        Chunk(path=article.path, title=article.title, date=article.date, source=article.source,
              url=article.url, text=text, ordinal=i, flagged=flagged)
        for i, text in enumerate(splitter.split_text(article.text))
    ]


def embedding_text(chunk: Chunk) -> str:
    """The title travels with every chunk so that a passage knows which company and period it is about."""
    return f"{chunk.title}\n{chunk.text}"


def _embed(embedder: Embedder, texts: list[str], progress: Progress | None, block: int = 512) -> np.ndarray:
    """Embed in blocks (for progress) of texts sorted by length, so that batches need little padding."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.zeros((len(texts), embedder.dim), np.float32)
    for start in range(0, len(texts), block):
        rows = order[start:start + block]
        vectors[rows] = embedder.encode([texts[i] for i in rows])
        if progress:
            progress(min(start + block, len(texts)), len(texts))
    return vectors


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
    retriever.index(bm25_tokens([f"{c.title}\n{c.text}" for c in chunks]), show_progress=False)
    return retriever


def bm25_tokens(texts: list[str], as_ids: bool = True):
    """Lower-cased, stop-worded, stemmed tokens: ids for indexing, words for querying."""
    import bm25s
    import Stemmer

    return bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"), return_ids=as_ids,
                          show_progress=False)


def _publish(folder: Path, chunks: list[Chunk], vectors: np.ndarray, manifest: dict) -> None:
    """Write a complete generation under a temporary name, then make it live with one atomic rename."""
    import faiss

    tmp = folder / f"tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for chunk in chunks:
            fh.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
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
    _sweep(folder, keep={live.name, previous.name if previous else ""})


def _sweep(folder: Path, keep: set[str] | None) -> None:
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
