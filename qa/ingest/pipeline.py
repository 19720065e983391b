"""Ingest: files → articles → chunks → vectors, written to the store as one new generation.

Incremental: unchanged files (same sha256) cost a read and a hash; changed ones are re-chunked and re-embedded;
gone ones are dropped, and the store adds the changes to the previous generation's files rather than rebuilding
them (``qa.store.index.publish_changes``). One ingest at a time holds the store's lock, and the new generation
goes live atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..embedding import Embedder
from ..errors import InputError
from ..store.index import FORMAT_VERSION, Index, Lock, current_generation, publish_update, sweep
from .chunking import embedding_text, split_article
from .documents import Article, SkipFile, content_hash, discover, parse, read_bytes
from . import web
from .safety import injection_reason

Progress = Callable[[int, int], None]


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


def ingest(
    paths: list[Path], folder: Path, embedder: Embedder, *, chunk_size: int, chunk_overlap: int,
    urls: list[str] | None = None, refresh: bool = False, rebuild: bool = False, progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> IngestReport:
    """Bring the index at ``folder`` in line with ``paths`` and ``urls``: add new files and pages, replace changed
    ones, drop files gone from the folders walked. ``refresh`` fetches every page already ingested again.

    Unchanged files (same sha256) cost a read and a hash, nothing more; an unchanged page costs its fetch.
    Raises InputError when a path is missing or nothing readable was found, before anything is written.
    """
    folder = Path(folder)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputError(f"no such file or folder: {missing[0]}")
    files, folders = discover([Path(p) for p in paths])
    with Lock(folder):
        sweep(folder, keep=None)
        old = None if rebuild else _open_for_update(folder, embedder)
        report = IngestReport()
        old_files = dict(old.files) if old else {}
        pages = list(dict.fromkeys((urls or []) + ([k for k in old_files if web.is_url(k)] if refresh else [])))
        articles: list[Article] = []
        kept_paths: set[str] = set()
        for source in [*files, *pages]:
            key = str(source)
            try:
                article = _changed(source, old_files.get(key, {}).get("sha256"))
            except (SkipFile, OSError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                report.skipped.append((key, reason))
                if warn:
                    warn(f"skipped {key}: {reason}")
                continue
            if article is None:
                kept_paths.add(key)
                report.unchanged += 1
                continue
            articles.append(article)
            (report.updated if key in old_files else report.added).append(key)
            for warning in articles[-1].warnings if warn else []:
                warn(warning)
            if warn and (reason := injection_reason(articles[-1].text)):
                warn(f"{key} gives instructions to AI models ('{reason}'); "
                     "it stays searchable but will not be used for answers")
        if not (files or pages) or (not articles and not kept_paths and not old_files):
            where = ", ".join([str(p) for p in paths] + pages)
            raise InputError(f"no readable .md, .txt, .html or .pdf files or pages in {where}")
        gone = [p for p in old_files if p not in kept_paths and _under(p, folders) and p not in report.updated]
        report.removed = [p for p in gone if p not in {str(f) for f in files}]
        if not report.changed and old is not None:
            report.total_chunks, report.total_files = len(old), len(old_files)
            return report
        _write_generation(folder, old, articles, report, embedder, chunk_size, chunk_overlap, progress)
        return report


def _changed(source: Path | str, known_sha256: str | None) -> Article | None:
    """The article at a file or URL, or None when its content is what the index already holds."""
    if isinstance(source, str):
        article = web.read(source)
        return None if article.sha256 == known_sha256 else article
    data = read_bytes(source)
    return None if content_hash(data) == known_sha256 else parse(source, data)


def _open_for_update(folder: Path, embedder: Embedder) -> Index | None:
    if current_generation(folder) is None:
        return None
    index = Index.open(folder)
    index.check_embedder(embedder.name, embedder.dim)
    return index


def _under(path: str, folders: list[Path]) -> bool:
    return any(Path(path).is_relative_to(f) for f in folders)


def _write_generation(folder, old, articles, report, embedder, chunk_size, chunk_overlap, progress) -> None:
    """Embed the changed articles' passages and write the new generation (``qa.store.index.publish_update``)."""
    replaced = set(report.updated) | set(report.removed)
    chunks = [c for a in articles for c in split_article(a, embedder, chunk_size, chunk_overlap)]
    vectors = _embed(embedder, [embedding_text(c) for c in chunks], progress)
    files = {a.path: {"sha256": a.sha256, "title": a.title} for a in articles}
    manifest = {
        "format": FORMAT_VERSION,
        "embedder": {"name": embedder.name, "dim": embedder.dim},
        "chunk_size": chunk_size, "chunk_overlap": chunk_overlap, "files": files,
    }
    report.chunks_embedded = len(chunks)
    report.total_chunks = publish_update(folder, old, replaced, chunks, vectors, manifest)
    report.total_files = len((set(old.files) if old else set()) - replaced | set(files))


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
