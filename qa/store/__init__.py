"""The passage store: generations on disk, the lock, FAISS and BM25, and the queries over them; or the same
queries answered by Milvus. Which one an ``index.store`` setting names is decided here, once."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from ..errors import InputError
from .base import Store

# The class that opens each kind of store (a ``Store``), by how its spec is known (``_kind``): a third store is a
# module with its class and a line here.
STORES = {
    "faiss": "qa.store.index:Index",  # FAISS and BM25 in the index folder
    "milvus://": "qa.store.milvus:MilvusStore",  # a Milvus server
    "http://": "qa.store.milvus:MilvusStore",
    "https://": "qa.store.milvus:MilvusStore",
    ".db": "qa.store.milvus:MilvusStore",  # a Milvus Lite file
}


def store_class(spec: str) -> type[Store]:
    """The class that opens the store ``spec`` names; a spec that names none is a one-line error. Its module is
    imported when asked for: the stores' modules import this package's others, which import this file first."""
    target = STORES.get(_kind(spec))
    if target is None:
        raise InputError(f"bad setting index.store: {spec} is neither 'faiss', a milvus://HOST:PORT address nor a "
                         "Milvus Lite path ending in .db")
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def open_store(spec: str, folder: Path) -> Store:
    """The store ``spec`` names, open for queries: 'faiss' the live generation in ``folder``, a Milvus address or
    Milvus Lite path that Milvus store."""
    return store_class(spec).from_spec(spec, folder)


def _kind(spec: str) -> str:
    """What ``STORES`` knows a spec by: an address's scheme ('milvus://'), else a file's suffix ('.db'), else the
    spec itself ('faiss')."""
    scheme, separator, _ = spec.partition("://")
    if separator:
        return scheme + separator
    return Path(spec).suffix or spec
