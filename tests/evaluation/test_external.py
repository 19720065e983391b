"""The external sets as the eval reads them: FinanceBench's split, its page sources and its figure golds."""

from __future__ import annotations

import json

import pytest

from qa.evaluation import external

pytestmark = pytest.mark.unit


def row(n: int, company: str, answer: str, question: str = "What is the FY2018 capex (in USD millions)?",
        doc: str = "ACME_2018_10K", pages: tuple[int, ...] = (59,)) -> dict:
    return {"financebench_id": f"financebench_id_{n:05d}", "company": company, "doc_name": doc, "answer": answer,
            "question": question, "question_type": "metrics-generated",
            "evidence": [{"evidence_page_num": p, "evidence_text_full_page": f"page {p} text"} for p in pages]}


@pytest.fixture
def data(tmp_path, monkeypatch):
    folder = tmp_path / "financebench"
    (folder / "pdfs").mkdir(parents=True)
    (folder / "pdfs" / "ACME_2018_10K.pdf").write_bytes(b"%PDF-1.4 stand-in")
    rows = [row(1, "Acme", "$1577.00"), row(2, "Bolt", "Yes, it is.", "Is Bolt capital-intensive?", "BOLT_2022_10K",
                                            (3, 4)),
            row(3, "Cord", "65.40%", "What is the growth rate?", "CORD_2016_10K"), row(4, "Dune", "0.66")]
    (folder / "questions.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    monkeypatch.setenv("QA_DATA", str(tmp_path))
    return folder


def test_financebench_splits_companies_and_reads_pages_and_figures(data, tmp_path):
    tuning, reporting = external.load("financebench", 99, 1), external.load("financebench", 99, 2)
    assert [q.id[-1] for q in tuning.questions] == ["1", "3"] and [q.id[-1] for q in reporting.questions] == ["2", "4"]
    acme, cord = tuning.questions
    assert acme.kind == "numeric" and acme.answers == ["$1577 million"] and acme.sources == ["ACME_2018_10K.pdf#60"]
    assert cord.answers == ["65.4%"]
    bolt = reporting.questions[0]
    assert bolt.kind == "judged" and bolt.sources == ["BOLT_2022_10K-page-004.md", "BOLT_2022_10K-page-005.md"]
    # a full half shares one store with every filing; the missing PDF's evidence pages stand in for it
    assert {"ACME_2018_10K.pdf", "BOLT_2022_10K-page-004.md"} <= set(reporting.articles)
    folder = reporting.write(tmp_path / "store")
    assert (folder / "ACME_2018_10K.pdf").read_bytes() == b"%PDF-1.4 stand-in"
    assert "page 3 text" in (folder / "BOLT_2022_10K-page-004.md").read_text()


def test_a_small_financebench_sample_reads_only_its_own_filings(data):
    sample = external.load("financebench", 1 + 1, 0)
    assert len(sample.questions) == 2
    cited = {q.sources[0].split("#")[0].split("-page-")[0].removesuffix(".pdf") for q in sample.questions}
    assert {name.split("-page-")[0].removesuffix(".pdf").removesuffix(".md") for name in sample.articles} == cited


def test_full_financebench_samples_share_one_store_and_small_ones_have_their_own(data):
    assert external.load("financebench", 99, 1).folder == external.load("financebench", 99, 2).folder
    assert external.load("financebench", 2, 0).folder == "financebench-0-2"
