"""The Milvus store, run for real on Milvus Lite (a server is not available here), and ingestion on a local Ray.

What runs where, honestly: Milvus Lite does the dense search (a FLAT index, where a server would build AUTOINDEX),
BM25 (its full-text search over qa's own stemmed terms, with its 'standard' analyzer), the RRF fusion and the
filters. No Milvus server path is exercised by these tests.
"""

from __future__ import annotations

import json

import pytest

from qa import QA
from qa.store.filters import Filters
from qa.settings import Settings
from conftest import CORPUS, copy_corpus, run_qa

QUESTION = "What was Alibaba's net income in the quarter ended December 2024?"


@pytest.fixture(scope="module")
def lite(tmp_path_factory, session_home):
    """The corpus ingested into a Milvus Lite store, and a QA over the FAISS index of the same files."""
    folder = tmp_path_factory.mktemp("milvus")
    corpus = copy_corpus(folder / "corpus")
    settings = Settings.load(values={"index.home": session_home, "index.store": str(folder / "lite.db")})
    milvus = QA(index=folder / "lock", settings=settings)
    milvus.ingest([corpus])
    faiss = QA(index=folder / "faiss", settings=settings.updated({"index.store": "faiss"}))
    faiss.ingest([corpus])
    return milvus, faiss, corpus


def test_milvus_lite_holds_the_corpus_once_and_searches_like_faiss(lite):
    milvus, faiss, _ = lite
    assert milvus.index.lite and len(milvus.index) == len(faiss.index)
    assert milvus.index.files == faiss.index.files
    for query in ("Alibaba net income December quarter 2024", "Which company sells the most electric cars?",
                  "JD.com revenue"):
        found, expected = milvus.search(query, k=5), faiss.search(query, k=5)
        assert found[0].path == expected[0].path, query  # the engines break near-ties alike only at the top
        assert {p.path for p in found} & {p.path for p in expected}


@pytest.mark.parametrize("filters", [Filters(title="alibaba"), Filters(source="qa tech desk"),
                                     Filters(date_from="2025-01-01", date_to="2025-02"), Filters(company="x")])
def test_filters_run_inside_milvus_and_agree_with_faiss(lite, filters):
    milvus, faiss, _ = lite
    found = milvus.search("quarterly revenue and profit", k=50, filters=filters)
    expected = faiss.search("quarterly revenue and profit", k=50, filters=filters)
    assert {p.path for p in found} == {p.path for p in expected}
    assert all((filters.title or "").lower() in p.title.lower() for p in found)
    assert all(p.date[:7] <= "2025-02" and p.date >= "2025-01-01" for p in found) or not filters.date_from


def test_reingest_replaces_a_changed_article_and_drops_a_deleted_one(lite):
    milvus, _, corpus = lite
    changed, deleted = sorted(corpus.glob("*.md"))[:2]
    changed.write_text(changed.read_text() + "\nThe company also opened a lighthouse museum in Narvik.\n")
    deleted.unlink()
    report = milvus.ingest([corpus])
    assert (report.updated, report.removed) == ([str(changed)], [str(deleted)])
    store = milvus.index
    assert str(deleted) not in store.files and str(changed) in store.files
    assert milvus.search("lighthouse museum Narvik", k=1)[0].path == str(changed)
    rows = store.query("", ["path", "ordinal"])
    assert len(rows) == len({(r["path"], r["ordinal"]) for r in rows}) == len(store)  # no passage twice
    assert milvus.ingest([corpus]).changed is False


def test_ray_ingest_into_milvus_answers_with_the_faiss_citation(tmp_path, corpus_index):
    """``qa ingest --ray`` on a local Ray (this machine's cores), incremental like the local path; then the
    answer to the Alibaba question cites the article the FAISS store's answer cites."""
    corpus = copy_corpus(tmp_path / "corpus")
    env = {"QA_STORE": str(tmp_path / "lite.db"), "QA_INDEX": str(tmp_path / "lock")}
    first = run_qa("ingest", str(corpus), "--ray", env=env)
    assert first.returncode == 0, first.stderr
    assert f"{len(list(CORPUS.glob('*.md')))} added" in first.stdout and "Milvus store" in first.stdout
    changed, deleted = sorted(corpus.glob("*.md"))[-2:]
    changed.write_text(changed.read_text() + "\nIts board met in Tromso.\n")
    deleted.unlink()
    second = run_qa("ingest", str(corpus), "--ray", env=env)
    assert second.returncode == 0, second.stderr
    assert "0 added, 1 updated, 1 removed" in second.stdout
    on_milvus = json.loads(run_qa("ask", QUESTION, "--json", env=env).stdout)
    on_faiss = json.loads(run_qa("ask", QUESTION, "--json", "--index", str(corpus_index)).stdout)
    assert not on_milvus["refused"] and "48.9" in on_milvus["answer"]
    assert [c["title"] for c in on_milvus["citations"]][:1] == [c["title"] for c in on_faiss["citations"]][:1]
