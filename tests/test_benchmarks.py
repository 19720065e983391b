"""The benchmark scripts start, the generated corpus is what the ingest benchmark claims it is, and the search
benchmark's FAISS comparison measures what it reports."""

import subprocess
import sys

import pytest

from conftest import ROOT

BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from corpus import generate  # noqa: E402

from qa.ingest.documents import parse, read_bytes


def test_generated_corpus_is_repeatable_news(tmp_path):
    first = generate(tmp_path / "a", n=20, seed=3)
    second = generate(tmp_path / "b", n=20, seed=3)
    assert [p.read_text() for p in first] == [p.read_text() for p in second]
    articles = [parse(p, read_bytes(p)) for p in first]
    assert len({a.title for a in articles}) == 20
    assert all(a.date and a.source == "Generated Wire" and 200 < len(a.text.split()) < 500 for a in articles)
    assert all("billion" in a.text for a in articles)


@pytest.mark.parametrize("script", ["ingest.py", "search.py", "answer.py", "starter.py", "corpus.py"])
def test_benchmark_scripts_start(script):
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def test_the_faiss_comparison_reports_exact_search_as_the_baseline_and_hnsw_close_to_it():
    import numpy as np
    from search import faiss_tradeoff

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:40] + 0.05 * rng.standard_normal((40, 384)).astype(np.float32)
    exact, hnsw = faiss_tradeoff(vectors, queries)
    assert (exact["index"], exact["recall@10"]) == ("flat (exact)", 1.0)
    assert hnsw["index"] == "HNSW" and 0.9 <= hnsw["recall@10"] <= 1.0
    assert all(row["p50_ms"] <= row["p95_ms"] and row["size_mb"] > 3000 * 384 * 4 / 2**20 * 0.99
               for row in (exact, hnsw))
