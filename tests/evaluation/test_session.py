"""One qa eval's choices without a model: which questions over which corpus and index, when an eval index is
rebuilt, and the report's shape."""

from __future__ import annotations

import json

import pytest

from qa.evaluation import session
from qa.evaluation.runner import Config, Result
from qa.settings import Settings

pytestmark = pytest.mark.unit

QUESTION = {"id": "q1", "question": "What did Acme order?", "answers": ["zeppelins"], "kind": "text", "sources": []}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.defaults().updated({"index.home": tmp_path / "home"})


@pytest.fixture
def config(tmp_path):
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "own.jsonl").write_text(json.dumps(QUESTION) + "\n")
    (tmp_path / "eval" / "config.toml").write_text('corpus = "../corpus"\n[thresholds]\nanswerable_accuracy = 0.5\n')
    return tmp_path / "eval" / "config.toml"


def test_the_own_set_reads_every_jsonl_beside_the_config_into_an_index_of_its_corpus(config, settings):
    chosen = session.own_set(config, Config.load(config), settings, None, None)
    assert [q.id for q in chosen.questions] == ["q1"]
    assert chosen.corpus == (config.parent.parent / "corpus").resolve()
    assert chosen.index == session.eval_index(settings, chosen.corpus)
    assert chosen.thresholds == {"answerable_accuracy": 0.5}
    assert session.own_set(config, Config.load(config), settings, None, config.parent / "mine").index \
        == config.parent / "mine"


def test_each_corpus_folder_has_its_own_eval_index_under_home(settings, tmp_path):
    one, other = session.eval_index(settings, tmp_path / "a"), session.eval_index(settings, tmp_path / "b")
    assert one != other and one == session.eval_index(settings, tmp_path / "a")
    assert one.parent == settings.index.home and one.name.startswith("eval-")


def test_an_index_an_older_qa_wrote_is_rebuilt(config, settings, tmp_path):
    chosen = session.own_set(config, Config.load(config), settings, None, tmp_path / "index")
    asked = []
    session.prepared(chosen, settings, "fake", lambda qa, paths, rebuild: asked.append((paths, rebuild)))
    (tmp_path / "index" / "gen-000001").mkdir(parents=True)
    (tmp_path / "index" / "gen-000001" / "manifest.json").write_text('{"format": 1}')
    (tmp_path / "index" / "CURRENT").write_text("gen-000001")
    qa = session.prepared(chosen, settings, "fake", lambda qa, paths, rebuild: asked.append((paths, rebuild)))
    assert asked == [([chosen.corpus], False), ([chosen.corpus], True)]
    assert qa.index_dir == tmp_path / "index" and qa.settings.llm.spec == "fake"


def test_the_report_holds_the_run_and_each_result(config, settings, tmp_path):
    chosen = session.own_set(config, Config.load(config), settings, None, None)
    result = Result(id="q1", kind="text", category="", question="q", gold=["x"], answer="x", correct=True,
                    refused=False, refusal=None, refusal_reason="", draft="", confidence={}, calculations=[],
                    shown=[], exact_match=True, f1=1.0, citations=[], timings={}, prompt_tokens=None)
    report = session.report("fake", None, None, chosen, {"questions": 1}, [result])
    assert list(report) == ["model", "external", "seed", "thresholds", "summary", "results"]
    assert report["results"][0]["id"] == "q1" and report["thresholds"] == chosen.thresholds
    session.write_json(tmp_path / "out" / "report.json", report)
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == report
