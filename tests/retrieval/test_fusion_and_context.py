"""Fusion and sentence selection without the real embedder: a tiny index written by the store itself and an
embedder that turns words into fixed vectors. The real model's ranking is tested in test_search.py."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from qa.retrieval.retriever import Retriever
from qa.retrieval.search import Scored, prefer_rows
from qa.settings import RetrievalSettings
from qa.store.filters import Filters
from qa.store.index import FORMAT_VERSION, Chunk, Index, publish
from qa.text.words import content_words

pytestmark = pytest.mark.unit
DIM = 64


class WordEmbedder:
    """Unit vectors summed from one fixed random vector per content word: texts sharing words are close."""

    name, dim = "words", DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            vector = sum((self._word(w) for w in content_words(text)), np.zeros(DIM))
            rows.append(vector / (np.linalg.norm(vector) or 1.0))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), DIM)

    @staticmethod
    def _word(word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
        return np.random.default_rng(seed).standard_normal(DIM)


ARTICLES = {
    "acme.md": ("Acme results", "2025-02-01", ["Acme reported revenue of 12 billion dollars. The company hired staff.",
                                               "Acme said its chief executive would retire. Profit rose to 3 billion."]),
    "orbit.md": ("Orbit results", "2025-03-01", ["Orbit reported revenue of 7 billion dollars. Orbit opened a plant."]),
    "guide.md": ("Gardening guide", "2024-05-01", ["Tomatoes need sun. Water them daily in summer."]),
}


@pytest.fixture
def index(tmp_path) -> Index:
    chunks = [Chunk(path=path, title=title, date=date, source="Desk", url="", text=text, ordinal=i)
              for path, (title, date, texts) in ARTICLES.items() for i, text in enumerate(texts)]
    vectors = WordEmbedder().encode([f"{c.title}: {c.text}" for c in chunks])
    publish(tmp_path, chunks, vectors, {"format": FORMAT_VERSION, "embedder": {"name": "words", "dim": DIM},
                                        "files": {}})
    return Index.open(tmp_path)


def test_search_hands_on_the_query_vector_and_honours_filters(index):
    retriever = Retriever(index, WordEmbedder(), RetrievalSettings())
    found = retriever.search("Orbit revenue", k=2)
    assert found.passages[0].path == "orbit.md" and found.vector.shape == (DIM,)
    assert [p.rank for p in found.passages] == [1, 2]
    dated = retriever.search("revenue", filters=Filters(date_from="2025-02-15"))
    assert {p.path for p in dated.passages} == {"orbit.md"}
    assert retriever.search("revenue", filters=Filters(source="Nobody")).passages == []


class CountingEmbedder(WordEmbedder):
    def __init__(self):
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts += texts
        return super().encode(texts)


def test_context_reads_whole_articles_and_reuses_the_query_vector(index):
    settings = RetrievalSettings(context_sentences=1, context_articles=1)
    found = Retriever(index, WordEmbedder(), settings).search("Acme profit", k=1)
    assert found.passages[0].path == "acme.md"
    embedder = CountingEmbedder()
    context = Retriever(index, embedder, settings).context(found)
    assert "Acme profit" not in embedder.texts  # the query is not embedded again
    [shown] = context.shown
    assert shown.text == "Profit rose to 3 billion."  # from the article's other chunk than the one search found
    assert (shown.rank, shown.similarity) == (found.passages[0].rank, found.passages[0].similarity)
    assert [c.ordinal for c in context.articles] == [0, 1] and {c.path for c in context.articles} == {"acme.md"}


def test_a_long_article_s_retrieved_passage_is_read_past_its_first_passages(tmp_path):
    """A filing states its cash flows on page 60: the sentences of the passage search found are scored even when
    it lies beyond the ``article_passages`` an article is read for from its start."""
    texts = [f"Cover page {i} of the annual report." for i in range(5)] + ["Capital expenditure was 1,577 million."]
    chunks = [Chunk(path="filing.pdf", title="Acme 10-K", date="2025-03-01", source="", url="", text=text, ordinal=i)
              for i, text in enumerate(texts)]
    publish(tmp_path, chunks, WordEmbedder().encode([f"{c.title}: {c.text}" for c in chunks]),
            {"format": FORMAT_VERSION, "embedder": {"name": "words", "dim": DIM}, "files": {}})
    index = Index.open(tmp_path)
    settings = RetrievalSettings(context_sentences=1, context_articles=1, article_passages=2)
    retriever = Retriever(index, WordEmbedder(), settings)
    found = retriever.search("capital expenditure", k=1)
    assert found.passages[0].text == texts[-1]
    context = retriever.context(found)
    assert [s for _, s in context.sentences] == [texts[-1]]
    assert [c.ordinal for c in context.articles] == [0, 1, 5]  # the first two passages and the one found


def test_context_takes_the_sentence_before_when_asked_and_keeps_articles_apart(index):
    settings = RetrievalSettings(context_sentences=2, context_articles=2, context_window=1)
    retriever = Retriever(index, WordEmbedder(), settings)
    context = retriever.context(retriever.search("revenue plant Orbit Acme", k=4))
    assert {p.path for p in context.shown} <= {"acme.md", "orbit.md"}
    orbit = next(p for p in context.shown if p.path == "orbit.md")
    assert orbit.text.startswith("Orbit reported revenue")  # the window brought the sentence before "opened a plant"


def test_within_a_document_the_asked_row_comes_first_and_documents_keep_their_places(tmp_path):
    def chunk(path: str, ordinal: int, text: str) -> Chunk:
        return Chunk(path=path, title="Acme annual report", date="2025-03-01", source="", url="", ordinal=ordinal,
                     text=text)

    chunks = [chunk("acme.pdf", 0, "Our total revenue grew 8% in fiscal 2024 as demand for tools rose."),
              chunk("acme.pdf", 1, "Total revenue (in millions): 2024 is 812.4; 2023 is 776.0.\n"
                                   "Net income (in millions): 2024 is 92.1; 2023 is 80.5."),
              chunk("acme.pdf", 2, "Total revenue (in millions): 2022 is 701.0; 2021 is 650.2."),
              chunk("other.md", 0, "Group: 2024 is 5,405; 2023 is 5,196.")]
    publish(tmp_path, chunks, WordEmbedder().encode([c.text for c in chunks]),
            {"format": FORMAT_VERSION, "embedder": {"name": "words", "dim": DIM}, "files": {}})
    index = Index.open(tmp_path)
    fused = scored(index, [(0, 0.04), (3, 0.03), (2, 0.02), (1, 0.01)])
    lifted = prefer_rows("What was Acme Group's total revenue in fiscal 2024?", fused)
    # another year's row is no answer; "Group" a name
    assert [(s.chunk_id, s.score) for s in lifted] == [(1, 0.04), (3, 0.03), (0, 0.02), (2, 0.01)]
    assert prefer_rows("Who founded Acme?", fused) == fused


def test_a_named_statement_s_page_comes_first_within_its_document(tmp_path):
    texts = ["Capital spending rose as we built two plants; see the discussion of liquidity.",
             "Brightwater Tools Consolidated Statement of Cash Flow s Years ended December 31\n"
             "Purchases of property, plant and equipment (Millions): 2018 is (1,577); 2017 is (1,373).",
             "Consolidated Balance Sheet At December 31\nTotal current liabilities (Millions): 2018 is 7,244."]
    chunks = [Chunk(path="bt.pdf", title="Form 10-K", date="", source="", url="", ordinal=i, text=t)
              for i, t in enumerate(texts)]
    publish(tmp_path, chunks, WordEmbedder().encode(texts),
            {"format": FORMAT_VERSION, "embedder": {"name": "words", "dim": DIM}, "files": {}})
    fused = scored(Index.open(tmp_path), [(0, 0.04), (2, 0.03), (1, 0.02)])
    question = "What is the FY2018 capital expenditure? Rely on the details shown in the cash flow statement."
    assert [s.chunk_id for s in prefer_rows(question, fused)] == [1, 0, 2]
    assert [s.chunk_id for s in prefer_rows("Based on the balance sheet, what is the quick ratio?", fused)] == [2, 0, 1]


def scored(index: Index, ranking: list[tuple[int, float]]) -> list[Scored]:
    return [Scored(i, score, index.chunks[i]) for i, score in ranking]
