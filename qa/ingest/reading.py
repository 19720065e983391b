"""One source (a file or a web page) read into an article and split into passages, or the reason it was not: the
step the local ingest (in a pool of processes, one a core) and the Ray tasks share."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..embedding import get_embedder
from ..store.chunks import Chunk
from . import web
from .article import Article
from .chunking import Chunking, bound_text, split_article
from .documents import SkipFile, content_hash, parse, read_bytes
from .pages import PageOf, as_page


@dataclass
class Read:
    """One source after reading: its article when it changed, why it was skipped, or that it is unchanged."""

    path: str
    article: Article | None = None
    skipped: str = ""
    unchanged: bool = False
    duplicate: bool = False  # skipped: another file holds the same bytes


def read(source: Path | str, known_sha256: str | None, page: PageOf | None = None) -> Read:
    """Read a file or web page (a page of a page-split document when ``page`` says where it belongs); an article
    only when its content hash differs from ``known_sha256``."""
    key = str(source)
    try:
        article = _changed(source, known_sha256)
        if article is not None and page is not None:
            article = as_page(article, page)
        if article is not None:
            article = bound_text(article)
    except Exception as exc:  # any failure of one file is that file's, never the batch's
        return Read(key, skipped=reason(exc))
    return Read(key, article, unchanged=article is None)


def reason(exc: BaseException) -> str:
    """Why a file failed, in one line: a reader's own reason, an OS error's, or the exception's type and message."""
    if isinstance(exc, SkipFile):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _changed(source: Path | str, known_sha256: str | None) -> Article | None:
    """The article at a file or URL, or None when its content is what the index already holds."""
    if isinstance(source, str):
        article = web.read(source)
        return None if article.sha256 == known_sha256 else article
    data = read_bytes(source)
    return None if content_hash(data) == known_sha256 else parse(source, data)


def read_and_split(source: Path | str, known_sha256: str | None, page: PageOf | None, model: str,
                   chunking: Chunking) -> tuple[Read, list[Chunk]]:
    """The source's read record and, when it changed, its chunks (split with the model's tokenizer, which loads
    without the model)."""
    record = read(source, known_sha256, page)
    if record.article is None:
        return record, []
    try:
        return record, split_article(record.article, get_embedder(model), chunking)
    except Exception as exc:  # one file's failure is that file's: it is skipped, the batch goes on
        return Read(record.path, skipped=f"cannot split into passages: {reason(exc)}"), []


# Below this many bytes to read, starting worker processes (about a second each, for imports) costs more than it
# saves: a megabyte is a few seconds of PDF reading or some hundreds of short articles (benchmarks/README.md).
POOL_FROM_BYTES = 1 << 20


def read_and_split_all(sources: list[Path | str], known: dict[str, str], paged: dict[Path, PageOf], model: str,
                       chunking: Chunking, workers: int | None) -> tuple[list[Read], list[Chunk]]:
    """``read_and_split`` for every source, in order: on ``workers`` processes (None: one a core) when there is
    enough to read, and in this process otherwise. ``known`` maps a source to the content hash the index holds
    for it."""
    workers = workers or os.cpu_count() or 1
    jobs = [(source, known.get(str(source)), paged.get(source), model, chunking) for source in sources]
    done: list[tuple[Read, list[Chunk]]] = []
    if workers > 1 and len(jobs) > 1 and _bytes(sources) >= POOL_FROM_BYTES:
        # spawn, not fork: this process may hold torch's threads, which a forked child can deadlock on
        context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
                for result in pool.map(read_and_split, *zip(*jobs)):
                    done.append(result)
        except BrokenProcessPool:  # a worker died (a file that crashes its reader): read the rest here, as before
            pass
    done += [read_and_split(*job) for job in jobs[len(done):]]
    return [record for record, _ in done], [chunk for _, chunks in done for chunk in chunks]


def _bytes(sources: list[Path | str]) -> int:
    return sum(os.path.getsize(source) for source in sources if isinstance(source, Path) and source.is_file())
