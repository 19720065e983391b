"""Hybrid search over the bundled corpus, filters, and the retrieval check against the eval set's gold articles."""

import json


from qa import QA, Filters
from qa.evaluation.scorers import recall_at_k, reciprocal_rank
from conftest import run_qa


def test_alibaba_december_quarter_comes_first(corpus_index):
    result = run_qa("search", "Alibaba net income quarter ended December 2024", "--json", "--index", str(corpus_index))
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["title"].startswith("Alibaba's December-quarter revenue")
    assert {"rank", "score", "title", "source", "date", "text"} <= set(rows[0])
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


def test_filters_restrict_results(corpus_index):
    qa = QA(index=corpus_index)
    by_source = qa.search("quarterly results", k=10, filters=Filters(source="QA Markets Desk"))
    assert by_source and all(p.source == "QA Markets Desk" for p in by_source)
    in_range = qa.search("revenue", k=10, filters=Filters(date_from="2025-03-01", date_to="2025-03-31"))
    assert in_range and all("2025-03-01" <= p.date <= "2025-03-31" for p in in_range)
    titled = qa.search("net income", k=10, filters=Filters(title="tencent"))
    assert titled and all("tencent" in p.title.lower() for p in titled)
    assert qa.search("revenue", filters=Filters(source="Nowhere Gazette")) == []


def test_cli_filters_and_text_output(corpus_index):
    result = run_qa("search", "cloud revenue", "-k", "3", "--index", str(corpus_index), "--title", "Alibaba",
                    "--since", "2025-01-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. Alibaba")
    assert "2024-" not in result.stdout.split("\n")[0]


def test_retrieval_recall_on_eval_questions(corpus_index, eval_questions):
    """Gold article in the top 5 for at least 95% of answerable questions; hybrid no worse than dense."""
    qa = QA(index=corpus_index)
    answerable = [q for q in eval_questions if q["sources"]]
    assert len(answerable) >= 25
    scores = {}
    for mode in ("dense", "hybrid"):
        ranked = [[p.path for p in qa.search(q["question"], k=10, mode=mode)] for q in answerable]
        scores[mode] = {
            "r1": sum(recall_at_k(r, q["sources"], 1) for r, q in zip(ranked, answerable)) / len(answerable),
            "r5": sum(recall_at_k(r, q["sources"], 5) for r, q in zip(ranked, answerable)) / len(answerable),
            "mrr": sum(reciprocal_rank(r, q["sources"]) for r, q in zip(ranked, answerable)) / len(answerable),
        }
    print(scores)
    assert scores["hybrid"]["r5"] >= 0.95
    assert scores["hybrid"]["mrr"] >= scores["dense"]["mrr"]


def test_a_qa_leaves_its_callers_settings_as_they_were(tmp_path):
    from qa import Settings

    settings = Settings.load(values={"index.home": tmp_path})
    QA(index=tmp_path / "other", settings=settings, llm="openai")
    assert settings.index.path is None and settings.llm.spec == "llamacpp"
