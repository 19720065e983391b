"""The benchmark scripts start, and the generated corpus is what the ingest benchmark claims it is."""

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
