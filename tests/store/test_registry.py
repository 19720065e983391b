"""Which store an ``index.store`` setting names (``qa.store.store_class``), and what a store's class answers before
the store is open. No Milvus runs here: the Milvus store's module loads without pymilvus."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.errors import IndexStateError, InputError
from qa.ingest.pipeline import ingest
from qa.settings import IndexSettings
from qa.store import open_store, store_class
from qa.store.index import Index
from qa.store.milvus import MilvusStore

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("spec, cls", [
    ("faiss", Index),
    ("milvus://localhost:19530", MilvusStore),
    ("http://milvus.internal:19530", MilvusStore),
    ("https://milvus.example.com", MilvusStore),
    ("~/qa/store.db", MilvusStore),
    ("store.db", MilvusStore),
    ("faiss.db", MilvusStore),  # a Milvus Lite file, whatever its name
])
def test_a_spec_names_its_store_class(spec, cls):
    assert store_class(spec) is cls


@pytest.mark.parametrize("spec", ["", "FAISS", "milvus", "store.sqlite", "~/qa/index", "ftp://host/store.db"])
def test_a_spec_that_names_no_store_is_a_one_line_error(spec):
    with pytest.raises(InputError) as caught:
        store_class(spec)
    message = str(caught.value)
    assert "\n" not in message
    assert message == (f"bad setting index.store: {spec} is neither 'faiss', a milvus://HOST:PORT address nor a "
                       "Milvus Lite path ending in .db")


def test_a_store_describes_where_its_passages_are_without_opening_them(tmp_path):
    assert store_class("faiss").describe("faiss", tmp_path) == f"index {tmp_path}"
    assert store_class("milvus://h:19530").describe("milvus://h:19530", tmp_path) == "Milvus store milvus://h:19530"


def test_the_faiss_store_before_the_first_ingest(tmp_path):
    assert store_class("faiss").for_update("faiss", tmp_path) is None  # an ingest writes it whole
    with pytest.raises(IndexStateError, match="no index at"):
        open_store("faiss", tmp_path)


def test_an_ingest_into_a_bad_store_fails_before_it_makes_the_index_folder(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nSome text.")
    folder = tmp_path / "index"
    with pytest.raises(InputError, match="bad setting index.store"):
        ingest([tmp_path / "a.md"], folder, None, IndexSettings(store="nonsense"))
    assert not Path(folder).exists()
