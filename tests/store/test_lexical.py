"""BM25 over a generation: the index of the last full write plus one of the passages added since score as one
index over all of them would, but for each index's mean passage length."""

import numpy as np
import pytest

from qa.store.lexical import BASE, NEW, Lexical, write
from qa.text.words import bm25_tokens

pytestmark = pytest.mark.unit

TEXTS = ["Alibaba's net income rose to 48.9 billion yuan.", "Tencent revenue grew 11 percent.",
         "Alibaba cloud revenue grew 13 percent.", "Nvidia data centre revenue reached 35.6 billion dollars.",
         "Tencent's president is Martin Lau.", "JD.com net income rose in the December quarter."]


def lexical(folder, parts: list[tuple[str, int, list[str]]]) -> Lexical:
    for name, _, texts in parts:
        write(folder / name, texts)
    return Lexical.load(folder, new_from=parts[-1][1], slots=sum(len(texts) for *_, texts in parts))


@pytest.mark.parametrize("query", ["Alibaba net income", "revenue grew percent", "Tencent president"])
def test_a_split_index_ranks_as_one_index_over_all_passages(tmp_path, query):
    whole = lexical(tmp_path / "whole", [(BASE, 0, TEXTS)])
    split = lexical(tmp_path / "split", [(BASE, 0, TEXTS[:4]), (NEW, 4, TEXTS[4:])])
    words = bm25_tokens([query], as_ids=False)[0]
    one, two = whole.scores(words), split.scores(words)
    assert list(np.flatnonzero(one)) == list(np.flatnonzero(two))  # the same passages match
    assert np.argmax(one) == np.argmax(two)
    assert np.allclose(one, two, rtol=0.25)  # only the mean length each part normalises by differs


def test_an_unknown_word_and_a_removed_passage_score_nothing(tmp_path):
    index = lexical(tmp_path, [(BASE, 0, [*TEXTS[:2], ""])])  # an empty text holds a removed passage's place
    assert not index.scores(["zeppelin"]).any()
    assert index.scores(bm25_tokens(["Alibaba"], as_ids=False)[0])[2] == 0


def test_texts_without_a_token_write_no_index(tmp_path):
    write(tmp_path / BASE, ["", "the of and"])
    assert not (tmp_path / BASE).exists()
