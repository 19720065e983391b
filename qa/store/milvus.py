"""The passage store in Milvus: a server (``QA_STORE=milvus://host:19530``) or Milvus Lite (``QA_STORE=PATH.db``).

The same questions as the FAISS store (``qa.store.index.Index``), answered inside Milvus: dense search, BM25 (Milvus's
full-text search, a BM25 function over an analysed text field), reciprocal-rank fusion (``hybrid_search`` with
``RRFRanker``) and the metadata filters (a boolean expression over stored, case-folded fields).

BM25 reads the terms qa's one tokenizer makes (``qa.text.words.bm25_tokens``: stop words out, Snowball stems),
joined by spaces, so Milvus's standard analyzer finds the same terms the FAISS store's BM25 indexes. Milvus Lite
has no English stemmer of its own (its analyzers are 'standard' and 'jieba'), and a server's 'english' analyzer
would stem differently from the queries' tokens elsewhere in qa.

Writes have no transaction. An ingest upserts an article's new passages before it deletes the old ones, and ids
are a hash of path, content hash and position, so a crash between the two leaves an article twice rather than
not at all, and the next ingest sees the two content hashes, reads the article again and removes the stale copy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import astuple, fields
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import IndexStateError
from ..extras import require
from .base import Changes, Fusion
from .chunks import Chunk, Described
from .filters import Filters
from ..text.words import bm25_tokens

# Rows per page of a query that reads them all. Each page runs the filter again: an ingest's ``files`` at 20k
# articles took 6.0 s in pages of 1,000 and 2.6 s in pages of 10,000 (Milvus Lite).
QUERY_PAGE = 10_000
COLLECTION = "qa_passages"
FORMAT_VERSION = 1
_TEXT, _NAME = 65_535, 4_096  # VARCHAR limits in bytes: Milvus's largest for text, ample for the rest
_KEYS = {"source_key": "source", "title_key": "title", "company_key": "company"}
_CHUNK_FIELDS = [f.name for f in fields(Chunk)]


class MilvusStore:
    """The passages of one collection; ``len``, ``chunks[i]`` and the query methods of ``Index``."""

    def __init__(self, spec: str):
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # Milvus Lite talks gRPC; its fork notices are not ours
        require("pymilvus", "scale", "the Milvus store (QA_STORE)")
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException

        self.spec = spec
        uri = spec if spec.startswith(("milvus://", "http://", "https://")) else str(Path(spec).expanduser())
        uri = uri.replace("milvus://", "http://", 1)
        if not uri.startswith("http"):
            require("milvus_lite", "scale", "a Milvus Lite store (QA_STORE=PATH.db)")  # what pymilvus runs for a path
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client = MilvusClient(uri)
        except MilvusException as exc:
            busy = " (Milvus Lite lets one process at a time open it)" if not uri.startswith("http") else ""
            raise IndexStateError(f"cannot open the Milvus store {spec}: {exc.message}{busy}") from None
        self.lite = not uri.startswith("http")
        logging.getLogger("pymilvus").setLevel(logging.ERROR)  # Lite's iterators warn on every query
        self.chunks = MilvusChunks(self)
        self._loaded = False

    @classmethod
    def describe(cls, spec: str, folder: Path) -> str:
        return f"Milvus store {spec}"

    @classmethod
    def from_spec(cls, spec: str, folder: Path) -> MilvusStore:
        return open_milvus(spec)

    @classmethod
    def for_update(cls, spec: str, folder: Path) -> MilvusStore | None:
        """The collection an ingest adds to; None before the first ingest."""
        store = open_milvus(spec)
        return store if store.exists() else None

    @classmethod
    def write(cls, spec: str, folder: Path, old: MilvusStore | None, changes: Changes) -> int:
        """The changes written by ``update``, new passages before old ones go (``old``, when there is one, is this
        same store: one client a process)."""
        store = open_milvus(spec)
        store.update(changes.updated, changes.removed, changes.chunks, changes.vectors,
                     {path: meta["sha256"] for path, meta in changes.files.items()}, changes.embedder,
                     rebuild=changes.rebuild)
        return len(store)

    # -- reading -----------------------------------------------------------------------------------------------

    @property
    def manifest(self) -> dict:
        if not self.exists():
            return {}
        return json.loads(self.client.describe_collection(COLLECTION).get("description") or "{}")

    def exists(self) -> bool:
        return self.client.has_collection(COLLECTION)

    def check_embedder(self, name: str, dim: int | None = None) -> None:
        built = self.manifest.get("embedder")
        if built and (built["name"] != name or (dim is not None and built["dim"] != dim)):
            raise IndexStateError(
                f"Milvus store {self.spec} was built with embedding model {built['name']} ({built['dim']} dims), "
                f"not {name}: rebuild it with 'qa ingest --rebuild' or choose that model")

    def query(self, expression: str, output: list[str], limit: int | None = None) -> list[dict]:
        if not self._ready():
            return []
        if limit is not None:
            return self.client.query(COLLECTION, filter=expression, output_fields=output, limit=limit)
        rows, iterator = [], self.client.query_iterator(COLLECTION, filter=expression, output_fields=output,
                                                         batch_size=QUERY_PAGE)
        while batch := iterator.next():
            rows.extend(batch)
        iterator.close()
        return rows

    def __len__(self) -> int:
        if not self._ready():
            return 0
        return int(self.client.query(COLLECTION, filter="", output_fields=["count(*)"])[0]["count(*)"])

    @property
    def files(self) -> dict[str, dict]:
        """Each article's path with its content hash and title. An article found with two content hashes (an
        ingest stopped between writing its new passages and deleting the old) gets none, so it is read again."""
        files: dict[str, dict] = {}
        for row in self.query("ordinal == 0", ["path", "sha256", "title"]):
            seen = files.setdefault(row["path"], {"sha256": row["sha256"], "title": row["title"]})
            if seen["sha256"] != row["sha256"]:
                seen["sha256"] = ""
        return files

    def chunk_ids(self, path: str) -> list[int]:
        return self.chunks.ids_of(path)

    def catalog(self) -> dict[str, Described]:
        """Each article's title, company and period by path, as ``Index.catalog``."""
        return {row["path"]: Described(row["title"], row["company"], row["period"])
                for row in self.query("ordinal == 0", ["path", "title", "company", "period"])}

    def ranked(self, query_vector: np.ndarray, words: list[str], n: int, filters: Filters | None, fusion: Fusion,
               mode: str = "hybrid") -> list[tuple[int, float]]:
        """Ids with fused scores, best first, as ``Index.ranked``: both rankings, the filters and the fusion (RRF with
        ``fusion.k``) run in Milvus. The passages come back with the ranking, so the lifts that read them make no
        further queries."""
        from pymilvus import AnnSearchRequest, RRFRanker

        expression = filter_expression(filters) if filters else ""
        requests = []
        if mode in ("hybrid", "dense"):
            requests.append(AnnSearchRequest(data=[query_vector.tolist()], anns_field="vector",
                                             param={"metric_type": "IP"}, limit=n, expr=expression))
        if mode in ("hybrid", "bm25") and words:
            requests.append(AnnSearchRequest(data=[" ".join(words)], anns_field="sparse",
                                             param={"metric_type": "BM25"}, limit=n, expr=expression))
        if not requests or not self._ready():
            return []
        hits = self.client.hybrid_search(COLLECTION, requests, RRFRanker(fusion.k), limit=n,
                                         output_fields=_CHUNK_FIELDS)[0]
        for hit in hits:
            self.chunks.remember(int(hit["id"]), hit["entity"])
        return [(int(hit["id"]), float(hit["distance"])) for hit in hits]

    def similarities(self, ids: list[int], query_vector: np.ndarray) -> list[float]:
        """Cosine of each passage to the query (vectors are normalised)."""
        if not ids:
            return []
        rows = {row["id"]: row["vector"] for row in self.query(f"id in {list(ids)}", ["id", "vector"], len(ids))}
        return [float(np.asarray(rows[i], dtype=np.float32) @ query_vector) for i in ids]

    def _ready(self) -> bool:
        """Whether the collection exists, loaded for searching (a collection written by another process must be
        loaded first); asked of Milvus only until it is."""
        if not self._loaded and self.exists():
            self.client.load_collection(COLLECTION)
            self._loaded = True
        return self._loaded

    # -- writing -----------------------------------------------------------------------------------------------

    def update(self, replaced: list[str], removed: list[str], chunks: list[Chunk], vectors: np.ndarray,
               hashes: dict[str, str], embedder: dict, rebuild: bool = False) -> None:
        """Add ``chunks`` (with their articles' content ``hashes``), then delete the older passages of the
        ``replaced`` articles and every passage of the ``removed`` ones: new passages are written before old ones
        go. Articles new to the store cost no delete; the rest are deleted by id, in batches."""
        if rebuild and self.exists():
            self.client.drop_collection(COLLECTION)
            self._loaded = False
        if not self.exists():
            self._create(embedder)
        self.check_embedder(embedder["name"], embedder["dim"])
        terms = bm25_tokens([chunk.indexed_text for chunk in chunks], as_ids=False) if chunks else []
        rows = [_row(*row, hashes[row[0].path]) for row in zip(chunks, vectors, terms)]
        for start in range(0, len(rows), 1000):
            self.client.upsert(COLLECTION, rows[start:start + 1000])
        stale = [row["id"] for start in range(0, len(replaced), 500)
                 for row in self.query(f"path in {json.dumps(replaced[start:start + 500])}", ["id", "path", "sha256"])
                 if row["sha256"] != hashes.get(row["path"])]
        for start in range(0, len(stale), 1000):
            self.client.delete(COLLECTION, ids=stale[start:start + 1000])
        for start in range(0, len(removed), 500):
            self.client.delete(COLLECTION, filter=f"path in {json.dumps(removed[start:start + 500])}")
        self.client.flush(COLLECTION)  # sealed: Lite otherwise scans the rows written since in Python at every search
        self.chunks.forget()

    def _create(self, embedder: dict) -> None:
        from pymilvus import DataType, Function, FunctionType

        schema = self.client.create_schema(auto_id=False, description=json.dumps(
            {"format": FORMAT_VERSION, "embedder": embedder}))
        schema.add_field("id", DataType.INT64, is_primary=True)
        for name in ("path", "title", "date", "source", "url", "company", "period", "sha256", *_KEYS):
            schema.add_field(name, DataType.VARCHAR, max_length=_NAME)
        schema.add_field("text", DataType.VARCHAR, max_length=_TEXT)
        schema.add_field("ordinal", DataType.INT64)
        schema.add_field("page", DataType.INT64)  # 0: not a paged document
        schema.add_field("flagged", DataType.BOOL)
        schema.add_field("terms", DataType.VARCHAR, max_length=_TEXT, enable_analyzer=True,
                         analyzer_params={"type": "standard"})
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=embedder["dim"])
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["terms"],
                                     output_field_names=["sparse"]))
        index = self.client.prepare_index_params()
        index.add_index("vector", index_type="AUTOINDEX" if not self.lite else "FLAT", metric_type="IP")
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self.client.create_collection(COLLECTION, schema=schema, index_params=index)


class MilvusChunks:
    """The store's passages by id, fetched on demand and kept while the store is unchanged."""

    def __init__(self, store: MilvusStore):
        self.store = store
        self._cache: dict[int, Chunk] = {}

    def __len__(self) -> int:
        return len(self.store)

    def __getitem__(self, i: int) -> Chunk:
        i = int(i)
        if i not in self._cache:
            rows = self.store.query(f"id == {i}", _CHUNK_FIELDS, 1)
            if not rows:
                raise IndexError(i)
            self.remember(i, rows[0])
        return self._cache[i]

    def __iter__(self) -> Iterator[Chunk]:
        for row in sorted(self.store.query("", ["id", *_CHUNK_FIELDS]), key=lambda r: r["id"]):
            yield _chunk(row)

    def ids_of(self, path: str) -> list[int]:
        """One article's passage ids, in reading order; the passages are kept for the reads that follow."""
        rows = sorted(self.store.query(f"path == {json.dumps(path)}", ["id", *_CHUNK_FIELDS]),
                      key=lambda r: r["ordinal"])
        for row in rows:
            self.remember(int(row["id"]), row)
        return [int(row["id"]) for row in rows]

    def remember(self, i: int, row: dict) -> None:
        self._cache[i] = _chunk(row)

    def forget(self) -> None:
        self._cache.clear()


def passage_id(path: str, sha256: str, ordinal: int) -> int:
    """A passage's id: the same article content gives the same ids, so writing it again is harmless."""
    digest = hashlib.blake2b(f"{path}\0{sha256}\0{ordinal}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & (2 ** 63 - 1)


def filter_expression(filters: Filters) -> str:
    """The filters as a Milvus boolean expression over the store's case-folded ``*_key`` fields."""
    terms = []
    if filters.paths:
        terms.append(f"path in [{', '.join(map(_literal, filters.paths))}]")
    if filters.source:
        terms.append(f"source_key == {_literal(filters.source.casefold())}")
    if filters.date_from:
        terms.append(f'date != "" and date >= {_literal(filters.date_from)}')
    if filters.date_to:  # every date that starts with date_to sorts below date_to with its last letter raised
        terms.append(f'date != "" and date < {_literal(filters.date_to[:-1] + chr(ord(filters.date_to[-1]) + 1))}')
    for field, value in (("title_key", filters.title), ("company_key", filters.company)):
        if value:
            terms.append(f"{field} like {_literal('%' + _like_escaped(value.casefold()) + '%')}")
    return " and ".join(f"({t})" for t in terms)


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(chunk: Chunk, vector: np.ndarray, terms: list[str], sha256: str) -> dict:
    row = dict(zip(_CHUNK_FIELDS, astuple(chunk)))
    row.update(id=passage_id(chunk.path, sha256, chunk.ordinal), sha256=sha256, page=chunk.page or 0,
               flagged=bool(chunk.flagged), vector=np.asarray(vector, dtype=np.float32).tolist(),
               terms=" ".join(terms))
    row.update({key: (row[field] or "").casefold() for key, field in _KEYS.items()})
    return row


def _chunk(row: dict) -> Chunk:
    chunk = Chunk(**{name: row[name] for name in _CHUNK_FIELDS})
    chunk.page = chunk.page or None
    return chunk


@lru_cache(maxsize=8)
def open_milvus(spec: str) -> MilvusStore:
    """One client per store and process: Milvus Lite allows one process to hold its files."""
    return MilvusStore(spec)
