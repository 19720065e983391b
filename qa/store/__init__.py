"""The passage store: generations on disk, the lock, FAISS and BM25, and the queries over them; or the same
queries answered by Milvus."""

from __future__ import annotations

from pathlib import Path


def open_store(spec: str, folder: Path):
    """The store a ``index.store`` setting names: 'faiss' opens the live generation in ``folder``
    (``qa.store.index.Index``); 'milvus://host:port' a Milvus server and any other value a Milvus Lite folder
    (``qa.store.milvus.MilvusStore``)."""
    if spec == "faiss":
        from .index import Index

        return Index.open(folder)
    from .milvus import open_milvus

    return open_milvus(spec)
