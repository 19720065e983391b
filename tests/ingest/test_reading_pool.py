"""Reading and splitting on a pool of processes gives what one process gives, in the same order."""

from concurrent.futures import ProcessPoolExecutor

from conftest import copy_corpus
from qa.ingest import reading
from qa.ingest.chunking import Chunking
from qa.ingest.documents import discover
from qa.settings import Settings


def test_a_pool_reads_and_splits_as_one_process_does(tmp_path, monkeypatch):
    files, _ = discover([copy_corpus(tmp_path / "corpus")])
    files.append(tmp_path / "corpus" / "missing.md")  # a failure stays that file's, in its place
    (tmp_path / "corpus" / "empty.md").write_text("", encoding="utf-8")
    files.append(tmp_path / "corpus" / "empty.md")
    index = Settings.defaults().index
    args = ({str(files[0]): "unchanged?"}, {}, index.embedding_model, Chunking.of(index))
    pools = []
    monkeypatch.setattr(reading, "POOL_FROM_BYTES", 0)  # this corpus is smaller than the pool's threshold
    monkeypatch.setattr(reading, "ProcessPoolExecutor",
                        lambda *a, **k: pools.append(a) or ProcessPoolExecutor(*a, **k))

    pooled = reading.read_and_split_all(files, *args, workers=2)
    alone = reading.read_and_split_all(files, *args, workers=1)
    assert len(pools) == 1 and pools[0][0] == 2
    assert [(r.path, r.skipped, r.unchanged) for r in pooled[0]] == [(r.path, r.skipped, r.unchanged)
                                                                    for r in alone[0]]
    assert [(c.path, c.text) for c in pooled[1]] == [(c.path, c.text) for c in alone[1]]
    assert len(pooled[1]) > len(files) and pooled[0][-2].skipped and pooled[0][-1].skipped


def test_a_pool_whose_worker_dies_leaves_the_rest_to_this_process(tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    files, _ = discover([copy_corpus(tmp_path / "corpus")])
    index = Settings.defaults().index
    args = ({}, {}, index.embedding_model, Chunking.of(index))

    class DiesAfterTwo:
        """A pool whose worker dies on the third file (a reader that crashes its process)."""

        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, function, *columns):
            for done, job in enumerate(zip(*columns)):
                if done == 2:
                    raise BrokenProcessPool("a worker died")
                yield function(*job)

    monkeypatch.setattr(reading, "POOL_FROM_BYTES", 0)
    monkeypatch.setattr(reading, "ProcessPoolExecutor", DiesAfterTwo)
    survived = reading.read_and_split_all(files, *args, workers=2)
    alone = reading.read_and_split_all(files, *args, workers=1)
    assert [r.path for r in survived[0]] == [r.path for r in alone[0]] == [str(f) for f in files]
    assert [c.text for c in survived[1]] == [c.text for c in alone[1]]
