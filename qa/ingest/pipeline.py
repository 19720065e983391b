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
from ..settings import IndexSettings
from ..store import store_class
from ..store.base import Changes, Store
from ..store.chunks import Chunk
from ..store.index import Lock, sweep
from .article import Article
from .chunking import Chunking
from .documents import discover
from .pages import PageOf, page_files
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


def ingest(paths: list[Path], folder: Path, embedder: Embedder, settings: IndexSettings, *,
           urls: list[str] | None = None, refresh: bool = False, rebuild: bool = False,
           progress: Progress | None = None, warn: Callable[[str], None] | None = None,
           ray: str | None = None) -> IngestReport:
    """Bring the store ``settings.store`` names (the index at ``folder`` by default; ``qa.store.open_store``) in
    line with ``paths`` and ``urls``: add new files and pages, replace changed ones, drop files gone from the
    folders walked. ``refresh`` fetches every page already ingested again. ``ray`` reads, splits and embeds on a
    Ray cluster at that address ('' starts a local one; ``qa.ingest.distributed``); otherwise
    ``settings.read_workers`` processes (None: one a core) read and split.

    Unchanged files (same sha256) cost a read and a hash, nothing more; an unchanged page costs its fetch.
    Raises InputError when a path is missing or nothing readable was found, before anything is written.
    """
    folder = Path(folder)
    files, folders, paged = _discover(paths)
    store_type = store_class(settings.store)
    with Lock(folder):
        sweep(folder, keep=None)
        old = None if rebuild else store_type.for_update(settings.store, folder)
        if old is not None:
            old.check_embedder(embedder.name, embedder.dim)
        old_files = dict(old.files) if old else {}
        pages = list(dict.fromkeys((urls or []) + ([k for k in old_files if web.is_url(k)] if refresh else [])))
        records, chunks, vectors = _read([*files, *pages], old_files, paged, embedder, settings, ray)
        report = IngestReport()
        kept_paths = {r.path for r in records if r.unchanged}
        _drop_duplicates(records, old_files, kept_paths, folders, warn)
        articles = _tally(records, old_files, report, warn)
        if not (files or pages) or (not articles and not kept_paths and not old_files):
            raise _nothing_readable(paths, pages)
        report.removed += _removed(old_files, kept_paths, folders, files, report)
        if not report.changed and old is not None:
            return _unchanged(report, old, old_files)
        chunks, vectors = _vectors(chunks, vectors, embedder, progress, report, warn)
        articles = _drop_failed(articles, report)
        if not articles and not report.changed and old is not None:
            return _unchanged(report, old, old_files)
        if not articles and old is None:
            raise _nothing_readable(paths, pages)
        changes = _changes(articles, chunks, vectors, old_files, report, embedder, settings, rebuild)
        report.total_chunks = store_type.write(settings.store, folder, old, changes)
        return report


def _discover(paths: list[Path]) -> tuple[list[Path], list[Path], dict[Path, PageOf]]:
    """The files to read, the folders walked (whose files an ingest may drop) and the page files among them; a
    missing path is an error before anything else."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputError(f"no such file or folder: {missing[0]}")
    files, folders = discover([Path(p) for p in paths])
    return files, folders, page_files(files)


def _read(sources: list[Path | str], old_files: dict[str, dict], paged: dict[Path, PageOf], embedder: Embedder,
          settings: IndexSettings, ray: str | None) -> tuple[list[Read], list[Chunk], np.ndarray | None]:
    """Every source's read record and the changed articles' chunks: read, split and embedded on Ray when ``ray``
    is an address, else read and split here (the vectors None: embedded once the checks have dropped what they
    drop)."""
    chunking = Chunking.of(settings)
    if ray is not None:
        from .distributed import read_split_embed

        return read_split_embed(sources, old_files, paged, embedder, chunking, ray)
    known = {path: meta.get("sha256") for path, meta in old_files.items()}
    records, chunks = read_and_split_all(sources, known, paged, embedder.name, chunking, settings.read_workers)
    return records, chunks, None


def _nothing_readable(paths: list[Path], pages: list[str]) -> InputError:
    return InputError(f"no readable .md, .txt, .html or .pdf files or pages in "
                      f"{', '.join([str(p) for p in paths] + pages)}")


def _removed(old_files: dict[str, dict], kept_paths: set[str], folders: list[Path], files: list[Path],
             report: IngestReport) -> list[str]:
    """The indexed files under the folders walked that are no longer there (and not already counted)."""
    gone = [p for p in old_files if p not in kept_paths and _under(p, folders) and p not in report.updated]
    walked = {str(f) for f in files}
    return [p for p in gone if p not in walked and p not in report.removed]


def _unchanged(report: IngestReport, old: Store, old_files: dict[str, dict]) -> IngestReport:
    """The report of an ingest that writes nothing: the store as it was."""
    report.total_chunks, report.total_files = len(old), len(old_files)
    return report


def _vectors(chunks: list[Chunk], vectors: np.ndarray | None, embedder: Embedder, progress: Progress | None,
             report: IngestReport, warn: Callable[[str], None] | None) -> tuple[list[Chunk], np.ndarray]:
    """The chunks of the articles the checks kept, with their vectors: embedded now, or those Ray embedded."""
    skipped = {p for p, _ in report.skipped}  # by the checks: duplicates, suspicious text
    keep = np.array([c.path not in skipped for c in chunks], bool)
    chunks = [c for c, k in zip(chunks, keep) if k]
    if vectors is None:
        return _embed_each(embedder, chunks, progress, report, warn)
    return chunks, vectors[keep] if len(keep) else vectors


def _drop_failed(articles: list[Article], report: IngestReport) -> list[Article]:
    """The articles, and the report's added and updated, without those skipped (embedding failures too)."""
    failed = {p for p, _ in report.skipped}
    report.added = [p for p in report.added if p not in failed]
    report.updated = [p for p in report.updated if p not in failed]
    return [a for a in articles if a.path not in failed]


def _changes(articles: list[Article], chunks: list[Chunk], vectors: np.ndarray, old_files: dict[str, dict],
             report: IngestReport, embedder: Embedder, settings: IndexSettings, rebuild: bool) -> Changes:
    """What the store is to write, with the report's counts of embedded passages and articles."""
    new_files = {a.path: {"sha256": a.sha256, "title": a.title} for a in articles}
    report.chunks_embedded = len(chunks)
    report.total_files = len(set(old_files) - set(report.updated) - set(report.removed) | set(new_files))
    return Changes(chunks, vectors, new_files, report.updated, report.removed,
                   {"name": embedder.name, "dim": embedder.dim}, settings.chunk_size, settings.chunk_overlap, rebuild)


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
