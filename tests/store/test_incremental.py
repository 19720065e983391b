"""Incremental writes without an embedder: a generation written whole (publish) and then changed (publish_changes)
must search as one written whole from the same live passages, and leave the previous generation's files as
they were."""

import hashlib
import json

import numpy as np
import pytest

from qa.store import index as store
from qa.store.filters import Filters
from qa.store.index import FORMAT_VERSION, Chunk, Index, compaction_due, publish, publish_changes, top_indices
from qa.text.words import bm25_tokens

pytestmark = pytest.mark.unit
DIM = 16
WORDS = "acme orbit zenith revenue profit cloud chip bank loan rate storm crop steel ship".split()


def passages(path: str, count: int, seed: int) -> list[Chunk]:
    """Passages of six distinct words each (so every BM25 index sees the same mean length)."""
    rng = np.random.default_rng(seed)
    return [Chunk(path=path, title="", date="2025-01-01", source="Desk", url="",
                  text=" ".join(rng.choice(WORDS, 6, replace=False)), ordinal=i) for i in range(count)]


def vectors_of(chunks: list[Chunk]) -> np.ndarray:
    rows = [np.random.default_rng(int(hashlib.sha256(c.text.encode()).hexdigest()[:8], 16)).standard_normal(DIM)
            for c in chunks]
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def manifest(files: list[str]) -> dict:
    return {"format": FORMAT_VERSION, "embedder": {"name": "test", "dim": DIM},
            "files": {path: {"sha256": path, "title": path} for path in files}}


@pytest.fixture
def changed(tmp_path):
    """Ten articles written whole, then b.md replaced and c.md removed, and two articles added."""
    articles = {f"{name}.md": passages(f"{name}.md", 4, seed) for seed, name in enumerate("abcdefghij")}
    chunks = [c for group in articles.values() for c in group]
    publish(tmp_path, chunks, vectors_of(chunks), manifest(list(articles)))
    old = Index.open(tmp_path)
    new = passages("b.md", 3, 100) + passages("k.md", 2, 101)
    publish_changes(tmp_path, old, {"b.md", "c.md"}, new, vectors_of(new), manifest(["b.md", "k.md"]))
    return old, Index.open(tmp_path), {**articles, "b.md": new[:3], "k.md": new[3:]}


def test_changes_take_new_slots_and_mark_the_replaced_ones_removed(changed):
    old, index, articles = changed
    assert (index.slots, old.slots) == (45, 40)
    assert len(index.vectors) == index.dense.ntotal == len(index.dead) == index.bm25.slots == 45
    assert list(np.flatnonzero(index.dead)) == old.chunk_ids("b.md") + old.chunk_ids("c.md")
    assert index.chunk_ids("b.md") == [40, 41, 42] and index.chunk_ids("k.md") == [43, 44]
    assert len(index) == 45 - 8 and "c.md" not in index.files and index.files["k.md"]["sha256"] == "k.md"
    in_slot_order = [f"{name}.md" for name in "adefghijbk"]
    assert [c.text for c in index.chunks] == [c.text for name in in_slot_order for c in articles[name]]
    assert np.array_equal(index.vectors[40:], vectors_of(articles["b.md"] + articles["k.md"]))
    with pytest.raises(IndexError):
        index.chunks[old.chunk_ids("c.md")[0]]


def test_searches_never_return_removed_passages(changed):
    _, index, _ = changed
    dead = set(np.flatnonzero(index.dead))
    for row in range(index.slots):
        assert dead.isdisjoint(index.dense_search(np.asarray(index.vectors[row]), 50))
    for word in WORDS:
        assert dead.isdisjoint(index.bm25_search([word], 50))
    assert dead.isdisjoint(index.bm25_search(["acme"], 50, index.allowed(Filters(source="desk"))))


def test_bm25_of_the_changes_scores_as_one_index_over_the_same_slots(changed, tmp_path):
    """Removed passages count in the IDF until compaction, as in one index over every slot. All passages have
    one length, so the indexes' mean lengths agree and the IDF rescaling alone is under test."""
    old, index, articles = changed
    every_slot = list(old.chunks) + articles["b.md"] + articles["k.md"]
    publish(tmp_path / "whole", every_slot, vectors_of(every_slot), manifest([]))
    whole = Index.open(tmp_path / "whole")
    for word in WORDS:
        words = bm25_tokens([word], as_ids=False)[0]
        assert np.allclose(whole.bm25.scores(words), index.bm25.scores(words), rtol=1e-5)


def test_the_previous_generation_is_read_not_written_and_bm25_of_the_last_full_write_is_shared(changed):
    old, index, _ = changed
    assert old.generation.exists() and old.generation != index.generation
    assert len(Index(old.folder, old.generation).chunks) == 40 and not Index(old.folder, old.generation).dead.any()
    for part in (index.generation / "bm25").iterdir():
        assert part.stat().st_ino == (old.generation / "bm25" / part.name).stat().st_ino
    assert index.compacted == old.compacted == 40


def test_compaction_is_due_past_the_share_of_removed_or_added_slots(changed, monkeypatch):
    _, index, _ = changed  # 45 slots, 8 removed, 5 added since the full write of 40
    monkeypatch.setattr(store, "COMPACT_SHARE", 0.2)
    assert not compaction_due(index, 0, 0) and not compaction_due(index, 1, 0)
    assert compaction_due(index, 2, 0)  # 10 removed of 45
    assert compaction_due(index, 0, 8)  # 13 added of 53
    monkeypatch.setattr(store, "HNSW_THRESHOLD", 50)
    assert compaction_due(index, 0, 5)  # exact search grows into HNSW's range


def test_an_index_of_format_2_is_read_and_changed_as_one_written_whole(tmp_path):
    chunks = passages("a.md", 4, 1) + passages("b.md", 4, 2)
    publish(tmp_path, chunks, vectors_of(chunks), manifest(["a.md", "b.md"]))
    generation = Index.open(tmp_path).generation
    (generation / "dead.npy").unlink()
    written = json.loads((generation / "manifest.json").read_text())
    del written["compacted"]
    (generation / "manifest.json").write_text(json.dumps({**written, "format": 2}))
    old = Index.open(tmp_path)
    assert not old.dead.any() and old.compacted == 8
    assert 0 in old.bm25_search(bm25_tokens([chunks[0].text], as_ids=False)[0], 10)
    new = passages("c.md", 1, 3)
    publish_changes(tmp_path, old, {"a.md"}, new, vectors_of(new), manifest(["c.md"]))
    index = Index.open(tmp_path)
    assert (index.manifest["format"], index.compacted, list(np.flatnonzero(index.dead))) == (3, 8, [0, 1, 2, 3])


def test_top_indices_agrees_with_a_full_sort_ties_by_index():
    rng = np.random.default_rng(3)
    for scores in (rng.integers(0, 5, 20_000).astype(np.float32), rng.random(50_000).astype(np.float32),
                   np.zeros(10_000, np.float32), rng.random(30).astype(np.float32)):
        expected = np.lexsort((np.arange(len(scores)), -scores))[:50]
        assert list(top_indices(scores, 50)) == list(expected)
