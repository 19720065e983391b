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
from ..store import store_class
from ..store.base import Changes
from ..store.index import Lock, sweep
from .article import Article
from .documents import discover
from .pages import page_files
from .reading import Read, read_and_split_all, reason
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
    paths: list[Path], folder: Path, embedder: Embedder, *, chunk_size: int, chunk_overlap: int, store: str = "faiss",
    urls: list[str] | None = None, refresh: bool = False, rebuild: bool = False, progress: Progress | None = None,
    warn: Callable[[str], None] | None = None, ray: str | None = None, workers: int | None = None,
) -> IngestReport:
    """Bring the ``store`` (the index at ``folder`` by default; ``qa.store.open_store``) in line with ``paths`` and
    ``urls``: add new files and pages, replace changed ones, drop files gone from the folders walked. ``refresh``
    fetches every page already ingested again. ``ray`` reads, splits and embeds on a Ray cluster at that address
    ('' starts a local one; ``qa.ingest.distributed``); otherwise ``workers`` processes (None: one a core)
    read and split.

    Unchanged files (same sha256) cost a read and a hash, nothing more; an unchanged page costs its fetch.
    Raises InputError when a path is missing or nothing readable was found, before anything is written.
    """
    folder = Path(folder)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputError(f"no such file or folder: {missing[0]}")
    files, folders = discover([Path(p) for p in paths])
    paged = page_files(files)
    store_type = store_class(store)
    with Lock(folder):
        sweep(folder, keep=None)
        old = None if rebuild else store_type.for_update(store, folder)
        if old is not None:
            old.check_embedder(embedder.name, embedder.dim)
        old_files = dict(old.files) if old else {}
        pages = list(dict.fromkeys((urls or []) + ([k for k in old_files if web.is_url(k)] if refresh else [])))
        report = IngestReport()
        sources = [*files, *pages]
        if ray is not None:
            from .distributed import read_split_embed

            records, chunks, vectors = read_split_embed(sources, old_files, paged, embedder, chunk_size, chunk_overlap,
                                                        ray)
        else:
            known = {path: meta.get("sha256") for path, meta in old_files.items()}
            records, chunks = read_and_split_all(sources, known, paged, embedder.name, chunk_size, chunk_overlap,
                                                 workers)
            vectors = None
        kept_paths = {r.path for r in records if r.unchanged}
        _drop_duplicates(records, old_files, kept_paths, folders, warn)
        articles = _tally(records, old_files, report, warn)
        if not (files or pages) or (not articles and not kept_paths and not old_files):
            where = ", ".join([str(p) for p in paths] + pages)
            raise InputError(f"no readable .md, .txt, .html or .pdf files or pages in {where}")
        gone = [p for p in old_files if p not in kept_paths and _under(p, folders) and p not in report.updated]
        walked = {str(f) for f in files}
        report.removed += [p for p in gone if p not in walked and p not in report.removed]
        if not report.changed and old is not None:
            report.total_chunks, report.total_files = len(old), len(old_files)
            return report
        skipped = {p for p, _ in report.skipped}  # by the checks above: duplicates, suspicious text
        keep = np.array([c.path not in skipped for c in chunks], bool)
        chunks = [c for c, k in zip(chunks, keep) if k]
        if vectors is None:
            chunks, vectors = _embed_each(embedder, chunks, progress, report, warn)
        elif len(keep):  # embedded on Ray already
            vectors = vectors[keep]
        failed = {p for p, _ in report.skipped}
        articles = [a for a in articles if a.path not in failed]
        report.added = [p for p in report.added if p not in failed]
        report.updated = [p for p in report.updated if p not in failed]
        if not articles and not report.changed and old is not None:
            report.total_chunks, report.total_files = len(old), len(old_files)
            return report
        if not articles and old is None:
            raise InputError(f"no readable .md, .txt, .html or .pdf files or pages in "
                             f"{', '.join([str(p) for p in paths] + pages)}")
        new_files = {a.path: {"sha256": a.sha256, "title": a.title} for a in articles}
        report.chunks_embedded = len(chunks)
        report.total_files = len(set(old_files) - set(report.updated) - set(report.removed) | set(new_files))
        changes = Changes(chunks, vectors, new_files, report.updated, report.removed,
                          {"name": embedder.name, "dim": embedder.dim}, chunk_size, chunk_overlap, rebuild)
        report.total_chunks = store_type.write(store, folder, old, changes)
        return report


def _drop_duplicates(records: list[Read], old_files: dict[str, dict], kept_paths: set[str], folders: list[Path],
                     warn: Callable[[str], None] | None) -> None:
    """The same content under several names is indexed once: a changed file whose bytes another file already in
    the index (and staying there) or earlier in this batch holds is skipped, naming that other file. A file the
    index held under its own name that now duplicates another is dropped from the index. Pages of a page-split
    document are left alone (two documents may share a blank or boilerplate page)."""
    changed = {r.path for r in records if r.article is not None}
    holders: dict[str, str] = {}
    for path, meta in old_files.items():  # what stays: unchanged, or outside the folders walked now
        if meta.get("sha256") and path not in changed and (path in kept_paths or not _under(path, folders)):
            holders.setdefault(meta["sha256"], path)
    for record in records:
        article = record.article
        if article is None or _is_page(article):
            continue
        holder = holders.setdefault(article.sha256, record.path)
        if holder != record.path:
            record.article, record.skipped = None, f"same content as {holder}; indexed once"
            record.duplicate = True


def _is_page(article: Article) -> bool:
    """One page of a page-split document (``qa.ingest.pages``), as opposed to a whole file."""
    return len(article.pages) == 1 and bool(article.pages) and not article.path.lower().endswith(".pdf")


def _embed_each(embedder: Embedder, chunks: list, progress: Progress | None, report: IngestReport,
                warn: Callable[[str], None] | None) -> tuple[list, np.ndarray]:
    """The chunks' vectors; when embedding fails, each article is embedded alone and the ones that fail are
    skipped."""
    try:
        return chunks, _embed(embedder, [c.indexed_text for c in chunks], progress)
    except Exception:
        pass
    by_path: dict[str, list] = {}
    for chunk in chunks:
        by_path.setdefault(chunk.path, []).append(chunk)
    kept, blocks = [], []
    for path, own in by_path.items():
        try:
            blocks.append(_embed(embedder, [c.indexed_text for c in own], None))
            kept.extend(own)
        except Exception as exc:
            _skip(path, f"cannot embed: {reason(exc)}", report, warn)
    return kept, np.concatenate(blocks) if blocks else np.zeros((0, embedder.dim), np.float32)


def _skip(path: str, why: str, report: IngestReport, warn: Callable[[str], None] | None) -> None:
    report.skipped.append((path, why))
    if warn:
        warn(f"skipped {path}: {why}")


def _tally(records: list[Read], old_files: dict[str, dict], report: IngestReport,
           warn: Callable[[str], None] | None) -> list[Article]:
    """Count each source in the report, warn about skipped and suspicious ones, and return the changed articles."""
    articles = []
    for record in records:
        if record.skipped:
            report.skipped.append((record.path, record.skipped))
            if warn:
                warn(f"skipped {record.path}: {record.skipped}")
            if record.duplicate and record.path in old_files:
                report.removed.append(record.path)  # its old text goes; the other file holds the new one
        elif record.unchanged:
            report.unchanged += 1
        else:
            article = record.article
            articles.append(article)
            (report.updated if record.path in old_files else report.added).append(record.path)
            for warning in article.warnings if warn else []:
                warn(warning)
            if warn and (reason := injection_reason(article.text)):
                warn(f"{record.path} gives instructions to AI models ('{reason}'); "
                     "it stays searchable but will not be used for answers")
    return articles


def _under(path: str, folders: list[Path]) -> bool:
    return any(Path(path).is_relative_to(f) for f in folders)


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
