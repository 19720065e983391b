"""The passages' text and metadata in one SQLite file per generation, read lazily.

SQLite opens in microseconds (a JSON line per passage took 11.7 s to parse at a million) and answers what a question needs, a few passages by id, one article's passages by path, the ids a
filter allows, without reading the rest. Written in the generation's temporary folder, whole or as a copy of the
previous generation's file with one ingest's changes (``update``); read-only after that, from any thread. Ids are
slots shared with the vectors, FAISS and BM25: an id whose passage was removed has no row (see qa.store.index).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..text.dates import searchable
from .filters import Filters

FILE_NAME = "chunks.sqlite"


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
    flagged: bool = False  # the article addresses AI models (see qa.ingest.safety): searchable, never used to answer
    page: int | None = None  # 1-based page of a paged document (PDF), as a viewer shows it
    company: str = ""  # the filer and the period a filing covers, read from its cover (qa.ingest.filings)
    period: str = ""

    @property
    def heading(self) -> str:
        return heading(self.title, self.company, self.period)

    @property
    def indexed_text(self) -> str:
        """What the embedder and BM25 read: the heading travels with every passage, so that a passage knows which
        company and period it is about."""
        return f"{self.heading}\n{self.text}"

    def searchable(self) -> str:
        """Heading, date and text as search and the checks read them."""
        return searchable(self.heading, self.date, self.text)


class Described(NamedTuple):
    """What an article says about itself: its title, and a filing's company and period from its cover."""

    title: str
    company: str
    period: str


def heading(title: str, company: str, period: str) -> str:
    """The title, with the filer and period a filing states when the title does not already say them:
    "Form 10-K (Apple Inc., fiscal year ended September 24, 2022)"."""
    extra = [part for part in (company, period) if part and part.lower() not in title.lower()]
    return f"{title} ({', '.join(extra)})" if extra else title


def _columns() -> list[str]:
    return [f.name for f in fields(Chunk)]


def write(folder: Path, chunks: Iterable, files: dict[str, dict]) -> None:
    """Write ``chunks`` (ids 0, 1, ... in order) and the articles' ``files`` records into ``folder``."""
    db = sqlite3.connect(folder / FILE_NAME)
    try:
        db.execute(f"CREATE TABLE chunks (id INTEGER PRIMARY KEY, {', '.join(_columns())})")
        db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, title TEXT)")
        _insert(db, chunks, 0, files)
        db.execute("CREATE INDEX chunks_by_path ON chunks (path, id)")
        db.commit()
    finally:
        db.close()


def update(folder: Path, removed: set[str], chunks: list, first_id: int, files: dict[str, dict]) -> list[int]:
    """Drop the passages and file records of the ``removed`` paths from the store in ``folder``, then add
    ``chunks`` with ids ``first_id``, ``first_id + 1``, ... and the ``files`` records; returns the dropped ids."""
    db = sqlite3.connect(folder / FILE_NAME)
    try:
        paths = [(path,) for path in removed]
        dropped = [i for path, in paths for (i,) in db.execute("SELECT id FROM chunks WHERE path = ?", (path,))]
        db.executemany("DELETE FROM chunks WHERE path = ?", paths)
        db.executemany("DELETE FROM files WHERE path = ?", paths)
        _insert(db, chunks, first_id, files)
        db.commit()
    finally:
        db.close()
    return dropped


def _insert(db: sqlite3.Connection, chunks: Iterable, first_id: int, files: dict[str, dict]) -> None:
    db.executemany(f"INSERT INTO chunks VALUES (?, {', '.join('?' * len(_columns()))})",
                   ((i, *astuple(chunk)) for i, chunk in enumerate(chunks, first_id)))
    db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                   ((path, meta.get("sha256", ""), meta.get("title", "")) for path, meta in files.items()))


class ChunkStore:
    """A generation's live passages, read-only: ``store[i]``, ``len(store)`` (how many), iteration in id order.
    Each thread reads through its own connection (the server answers from several)."""

    def __init__(self, folder: Path):
        self._address = (folder / FILE_NAME).resolve().as_uri() + "?mode=ro"
        self._columns = ", ".join(_columns())
        self._local = threading.local()
        self._length = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        self._get = lru_cache(maxsize=4096)(self._fetch)
        self._catalog: dict[str, Described] | None = None

    @property
    def _db(self) -> sqlite3.Connection:
        if getattr(self._local, "db", None) is None:
            self._local.db = sqlite3.connect(self._address, uri=True)
            # SQLite's own lower() knows ASCII only; filters compare as Python does ("ÉLAN" finds "élan")
            self._local.db.create_function("casefold", 1, lambda text: (text or "").casefold(), deterministic=True)
        return self._local.db

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i: int):
        return self._get(int(i))

    def _fetch(self, i: int):
        row = self._db.execute(f"SELECT {self._columns} FROM chunks WHERE id = ?", (i,)).fetchone()
        if row is None:
            raise IndexError(i)
        return _chunk(row)

    def __iter__(self) -> Iterator:
        for _, chunk in self.numbered():
            yield chunk

    def numbered(self, first_id: int = 0) -> Iterator[tuple[int, "Chunk"]]:
        """(id, passage) of the live passages from ``first_id`` on, in id order."""
        for i, *row in self._db.execute(f"SELECT id, {self._columns} FROM chunks WHERE id >= ? ORDER BY id",
                                        (first_id,)):
            yield i, _chunk(row)

    def ids_of(self, path: str) -> list[int]:
        """The ids of one article's passages, in reading order."""
        return [i for (i,) in self._db.execute("SELECT id FROM chunks WHERE path = ? ORDER BY id", (path,))]

    def files(self) -> dict[str, dict]:
        return {path: {"sha256": sha256, "title": title}
                for path, sha256, title in self._db.execute("SELECT path, sha256, title FROM files")}

    def catalog(self) -> dict[str, Described]:
        """Each article's title, company and period by path: what a question's company and years are matched
        against (``qa.retrieval.filings``). Read once: a generation never changes."""
        if self._catalog is None:
            self._catalog = {path: Described(title, company, period) for path, title, company, period in
                             self._db.execute("SELECT path, title, company, period FROM chunks GROUP BY path")}
        return self._catalog

    def allowed(self, slots: int, filters: Filters) -> np.ndarray:
        """A boolean mask over the ``slots`` ids: True where a live passage passes ``filters``."""
        where, values = sql_condition(filters)
        mask = np.zeros(slots, dtype=bool)
        mask[[i for (i,) in self._db.execute(f"SELECT id FROM chunks WHERE {where}", values)]] = True
        return mask


def sql_condition(filters: Filters) -> tuple[str, list]:
    """The filters as a WHERE condition over the chunks table and its values: source equal, dates inclusive, title
    and company containing the text, all without regard to case (``casefold``, which each connection defines); the
    article one of ``paths``."""
    where, values = [], []
    if filters.paths:
        where.append(f"path IN ({', '.join('?' * len(filters.paths))})"), values.extend(filters.paths)
    if filters.source:
        where.append("casefold(source) = ?"), values.append(filters.source.casefold())
    if filters.date_from:
        where.append("date != '' AND date >= ?"), values.append(filters.date_from)
    if filters.date_to:
        where.append("date != '' AND substr(date, 1, ?) <= ?"), values.extend([len(filters.date_to), filters.date_to])
    for column, value in (("title", filters.title), ("company", filters.company)):
        if value:
            where.append(f"instr(casefold({column}), ?) > 0"), values.append(value.casefold())
    return " AND ".join(where) or "1", values


def _chunk(row: tuple) -> Chunk:
    chunk = Chunk(*row)
    chunk.flagged = bool(chunk.flagged)  # SQLite keeps booleans as 0 and 1
    return chunk

