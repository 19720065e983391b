"""Ingestion with the real embedding model: incremental, idempotent, model-checked, crash-safe, locked."""

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from qa import QA
from qa.errors import IndexStateError, InputError
from qa.store.index import Index, Lock
from conftest import CORPUS, QA_BIN, article, copy_corpus, run_qa, write

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def chunk_paths(index_dir):
    index = Index.open(index_dir)
    return [c.path for c in index.chunks], index


def test_add_modify_delete_and_reingest_without_duplicates(tmp_path):
    docs = tmp_path / "docs"
    a = write(docs, "a.md", article("Acme profit doubles", "Acme said profit doubled to $2 billion."))
    write(docs, "b.md", article("Zenith sales slip", "Zenith said sales fell 3% to 40 million euros."))
    qa = QA(index=tmp_path / "idx")

    first = qa.ingest([docs])
    assert (len(first.added), first.total_files) == (2, 2)
    paths, index = chunk_paths(tmp_path / "idx")
    assert len(index.vectors) == len(paths) == first.total_chunks

    again = qa.ingest([docs])
    assert (again.changed, again.unchanged) == (False, 2)
    assert chunk_paths(tmp_path / "idx")[0] == paths

    a.write_text(article("Acme profit triples", "Acme said profit tripled to $3 billion."))
    write(docs, "c.md", article("Orbit hires chief", "Orbit named Jane Roe chief executive."))
    (docs / "b.md").unlink()
    report = qa.ingest([docs])
    assert (report.updated, len(report.added), len(report.removed)) == ([str(a.resolve())], 1, 1)
    paths, index = chunk_paths(tmp_path / "idx")
    assert sorted(set(p.rsplit("/", 1)[1] for p in paths)) == ["a.md", "c.md"]
    assert len(paths) == len(set((c.path, c.ordinal) for c in index.chunks)) == len(index.vectors)
    assert "tripled" in " ".join(c.text for c in index.chunks)
    assert "doubled" not in " ".join(c.text for c in index.chunks)
    assert qa.search("Who is Orbit's chief executive?", k=1)[0].title == "Orbit hires chief"


def test_ingesting_a_file_elsewhere_does_not_remove_other_articles(tmp_path):
    write(tmp_path / "one", "a.md", article("Acme", "Acme grew."))
    b = write(tmp_path / "two", "b.md", article("Zenith", "Zenith shrank."))
    qa = QA(index=tmp_path / "idx")
    qa.ingest([tmp_path / "one"])
    report = qa.ingest([b])
    assert report.total_files == 2 and not report.removed


def test_index_records_model_and_refuses_another(tmp_path):
    write(tmp_path / "docs", "a.md", article("Acme", "Acme grew."))
    qa = QA.build([tmp_path / "docs"], index=tmp_path / "idx")
    index = Index.open(tmp_path / "idx")
    assert index.manifest["embedder"] == {"name": "all-MiniLM-L6-v2", "dim": 384}
    manifest = index.generation / "manifest.json"  # simulate an index built by another embedding model
    data = json.loads(manifest.read_text())
    data["embedder"] = {"name": "all-mpnet-base-v2", "dim": 768}
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexStateError, match="all-mpnet-base-v2"):
        QA(index=tmp_path / "idx").search("Acme")
    with pytest.raises(IndexStateError, match="all-mpnet-base-v2"):
        qa.ingest([tmp_path / "docs"])


def test_bad_files_are_skipped_and_the_rest_ingested(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "good.md", article("Acme", "Acme grew 5%."))
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    (docs / "latin1.md").write_bytes("Caf\xe9 prices rose. ".encode("latin-1") * 100)  # mostly another encoding
    (docs / "empty.md").write_text("")
    warnings = []
    report = QA(index=tmp_path / "idx").ingest([docs], warn=warnings.append)
    assert report.total_files == 1
    assert sorted(p.rsplit("/", 1)[1] for p, _ in report.skipped) == ["binary.txt", "empty.md", "latin1.md"]
    assert len(warnings) == 3 and all("\n" not in w for w in warnings)


def test_empty_or_missing_input_is_an_error_and_writes_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    qa = QA(index=tmp_path / "idx")
    with pytest.raises(InputError, match="no readable"):
        qa.ingest([tmp_path / "empty"])
    with pytest.raises(InputError, match="no such file"):
        qa.ingest([tmp_path / "missing"])
    assert not (tmp_path / "idx" / "CURRENT").exists()


def test_second_writer_gets_a_clear_error(tmp_path):
    write(tmp_path / "docs", "a.md", article("Acme", "Acme grew."))
    with Lock(tmp_path / "idx"):
        with pytest.raises(IndexStateError, match="another ingest"):
            QA(index=tmp_path / "idx").ingest([tmp_path / "docs"])


@pytest.fixture(scope="module")
def growing_ingest_seconds(tmp_path_factory) -> float:
    """How long the ingest that the kill tests interrupt takes here when left alone."""
    folder = tmp_path_factory.mktemp("timed")
    return kill_ingest_and_check(folder, lambda index_dir, started: False)


@pytest.mark.parametrize("share", [0.15, 0.35, 0.55, 0.75])
def test_kill_9_mid_ingest_leaves_the_previous_index_whole(tmp_path, share, growing_ingest_seconds):
    """Kill an ingest of the bundled corpus at several moments of its run (shares of its time alone); the old
    index must open and agree with itself, and the next ingest must finish the job."""
    delay = share * growing_ingest_seconds
    kill_ingest_and_check(tmp_path, lambda index_dir, started: time.monotonic() - started >= delay, must_reach=True)


WHOLE = 1 + len(list(CORPUS.glob("*.md")))  # the small folder's article and the bundled corpus
PUBLISH_MOMENTS = {  # files of the generation being written, in the order publish writes them
    "generation folder made": "", "texts written": "chunks.sqlite", "vectors written": "vectors.npy",
    "FAISS written": "dense.faiss", "removed slots written": "dead.npy", "BM25 written": "bm25",
    "manifest written": "manifest.json",
}
CHANGES_MOMENTS = {  # files of the generation being written, in the order publish_changes writes them
    "generation folder made": "", "texts copied": "chunks.sqlite", "removed slots written": "dead.npy",
    "vectors written": "vectors.npy", "FAISS written": "dense.faiss", "BM25 linked": "bm25",
    "BM25 of the changes written": "bm25-new", "manifest written": "manifest.json",
}


def appeared(name: str):
    """The moment a file of the generation being written appears, before it goes live."""
    return lambda index_dir, started: any((tmp / name).exists() for tmp in index_dir.glob("tmp-*"))


@pytest.mark.parametrize("moment", PUBLISH_MOMENTS)
def test_kill_9_while_publishing_leaves_the_previous_index_whole(tmp_path, moment):
    """Kill the ingest the moment a given file of the new generation appears, before it goes live."""
    kill_ingest_and_check(tmp_path, appeared(PUBLISH_MOMENTS[moment]), must_reach=True)


@pytest.mark.parametrize("moment", CHANGES_MOMENTS)
def test_kill_9_while_publishing_changes_leaves_the_previous_index_whole(tmp_path, moment):
    """The same for an ingest of a few changes, written as changes to the previous generation."""
    kill_ingest_and_check(tmp_path, appeared(CHANGES_MOMENTS[moment]), must_reach=True, changes=True)


def kill_ingest_and_check(tmp_path, moment, must_reach: bool = False, changes: bool = False) -> float:
    """Ingest a folder, then grow it by every bundled article (a full write) or, with ``changes``, start from the
    corpus and change one article and add one (a write of the changes); kill that ingest at ``moment``. The
    index must be the old state or the new one, whole, and the next ingest must finish the job. Returns how long
    the interrupted ingest ran."""
    docs = tmp_path / "docs"
    write(docs, "a.md", article("Acme", "Acme grew 5%."))
    if changes:
        copy_corpus(docs)
    index_dir = tmp_path / "idx"
    env = {**os.environ, "QA_INDEX": str(index_dir)}
    subprocess.run([QA_BIN, "ingest", str(docs)], env=env, check=True, capture_output=True)
    if changes:
        write(docs, "a.md", article("Acme", "Acme sold zeppelins."))
        write(docs, "b.md", article("Zenith", "Zenith shrank."))
    else:
        copy_corpus(docs)
    before, after = (WHOLE, WHOLE + 1) if changes else (1, WHOLE)
    proc = subprocess.Popen([QA_BIN, "ingest", str(docs)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    started = time.monotonic()
    while proc.poll() is None and not moment(index_dir, started):
        time.sleep(0.001)
    ran = time.monotonic() - started
    proc.send_signal(signal.SIGKILL)
    finished_first = proc.wait() == 0
    assert not (must_reach and finished_first), "the ingest finished before the moment to kill it"
    index = assert_whole(Index.open(index_dir))
    assert len(index.files) in (before, after)  # the old state or the new one, never a mix
    assert ("zeppelins" in " ".join(c.text for c in index.chunks)) == (changes and len(index.files) == after)
    result = subprocess.run([QA_BIN, "ingest", str(docs)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    index = assert_whole(Index.open(index_dir))
    assert len(index.files) == after
    assert index.dead.any() == changes  # the changes were written as such, not as a whole generation
    assert not [p for p in index_dir.iterdir() if p.name.startswith("tmp-")]
    return ran


def assert_whole(index: Index) -> Index:
    """Every file of the generation covers the same slots, and the live passages are the recorded articles'."""
    bm25_slots = max(offset + bm25.scores["num_docs"] for offset, bm25 in index.bm25.parts)
    assert len(index.vectors) == index.dense.ntotal == len(index.dead) == bm25_slots == index.slots
    assert len(index.chunks) == index.slots - index.dead.sum()
    assert len({(c.path, c.ordinal) for c in index.chunks}) == len(index.chunks)
    assert {c.path for c in index.chunks} == set(index.files)
    return index


def test_a_few_changes_are_written_as_changes_until_compaction_is_due(tmp_path, monkeypatch):
    docs = copy_corpus(tmp_path / "docs")
    a = write(docs, "a.md", article("Acme", "Acme grew 5%."))
    qa = QA(index=tmp_path / "idx")
    qa.ingest([docs])
    old = Index.open(tmp_path / "idx")
    a.write_text(article("Acme", "Acme grew 7% as its rockets sold."))
    assert qa.ingest([docs]).total_chunks == len(old)
    index = assert_whole(Index.open(tmp_path / "idx"))
    assert list(np.flatnonzero(index.dead)) == old.chunk_ids(str(a.resolve()))
    assert index.chunk_ids(str(a.resolve())) == [old.slots] and index.compacted == old.slots
    assert (index.generation / "bm25" / "data.csc.index.npy").stat().st_ino == \
        (old.generation / "bm25" / "data.csc.index.npy").stat().st_ino  # shared, not rebuilt
    found = QA(index=tmp_path / "idx").search("Which company sold rockets?", k=3)
    assert found[0].chunk_id == old.slots and "7%" in found[0].text and "5%" not in found[0].text
    monkeypatch.setattr("qa.store.index.COMPACT_SHARE", 0.0)
    write(docs, "b.md", article("Zenith", "Zenith shrank."))
    qa.ingest([docs])
    index = assert_whole(Index.open(tmp_path / "idx"))
    assert not index.dead.any() and index.compacted == index.slots == len(old) + 1
    assert not (index.generation / "bm25-new").exists()


def test_an_index_written_by_an_older_qa_asks_for_a_rebuild(tmp_path):
    write(tmp_path / "d", "a.md", article("Acme", "Acme grew 5%."))
    index = tmp_path / "idx"
    assert run_qa("ingest", str(tmp_path / "d"), "--index", str(index)).returncode == 0
    manifest = next(index.glob("gen-*")) / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 1}))
    result = run_qa("search", "Acme", "--index", str(index))
    assert result.returncode != 0 and result.stderr.count("\n") == 1 and "qa ingest --rebuild" in result.stderr
    assert run_qa("ingest", "--rebuild", str(tmp_path / "d"), "--index", str(index)).returncode == 0
    found = run_qa("search", "Acme", "--index", str(index))
    assert found.returncode == 0 and "Acme grew 5%" in found.stdout, found


def test_qa_eval_rebuilds_its_own_index_written_by_an_older_qa(tmp_path):
    """An eval index is a cache qa owns (CI keeps ~/.qa between runs): an older one is rebuilt, not refused."""
    write(tmp_path / "d", "a.md", article("Acme", "Acme grew 5%."))
    questions = tmp_path / "set.jsonl"
    questions.write_text('{"id": "a", "question": "How much did Acme grow?", "answers": ["5%"], "kind": "text", '
                         '"sources": []}\n')
    config = tmp_path / "config.toml"
    config.write_text(f'corpus = "{tmp_path / "d"}"\n[thresholds]\n')
    index = tmp_path / "eval-index"
    eval_run = ("eval", str(questions), "--llm", "fake", "--config", str(config), "--index", str(index))
    assert run_qa(*eval_run).returncode == 0
    manifest = next(index.glob("gen-*")) / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 1}))
    result = run_qa(*eval_run)
    assert result.returncode == 0, result.stderr
    assert Index.open(index).manifest["format"] != 1
