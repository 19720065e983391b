"""The logic around the model: which signal refuses, how an answer is held to the sources it cites.

A scripted LLM stands in for the model here (it only replays a reply and a first-token probability), so these
run in the fast tier; answers from the real model are tested in test_answer.py.
"""

import time

import pytest

from qa import prompts
from qa.answer import Answer, Refusal, Thresholds, check_answer, generate
from qa.context import Context
from qa.llms.base import LLM, probe_share
from qa.search import Passage

WIRE = ("Acme Oil Corp said first-quarter net profit rose to 12.5 mln dlrs, or 43 cts a share, from 8.7 mln dlrs. "
        "The company said output reached 3.5 mln bpd.")
LEAD = "Acme Oil Corp, a unit of Global Petroleum Holdings, reported results on Tuesday."


def passage(text: str, title: str = "Acme Oil first-quarter profit rises", similarity: float = 0.6) -> Passage:
    return Passage(rank=1, score=0.03, similarity=similarity, title=title, date="1987-04-07", source="Wire",
                   path="acme.txt", url="", text=text, chunk_id=0)


def context(*texts: str, similarity: float = 0.6) -> Context:
    shown = [passage(t, similarity=similarity) for t in texts]
    return Context(shown=shown, articles=[passage(f"{LEAD} {WIRE}")])


class Scripted(LLM):
    """Replays one reply; ``leaning`` is the probability it reports for the sentinel at the first token."""

    name = "scripted"

    def __init__(self, reply: str, leaning: float | None = 0.01):
        self.reply, self.leaning, self.calls = reply, leaning, 0

    def stream(self, messages, max_tokens, stop=None, probe=None):
        self.calls += 1
        self.probed = self.leaning if probe else None
        yield from self.reply.split(" ")


def answer(llm: LLM, ctx: Context, min_relevance: float = 0.3, max_sentinel: float = 0.5) -> Answer:
    *_, final = generate("What was Acme Oil's first-quarter profit?", ctx, llm, max_tokens=64,
                         thresholds=Thresholds(min_relevance, max_sentinel), started=time.perf_counter(),
                         retrieval_seconds=0.0)
    return final


def test_wire_figures_support_a_plain_answer():
    text, citations, refusal = check_answer("Acme Oil's profit was $12.5 million, or 43 cents a share [1].",
                                            "What was Acme Oil's profit?", context(WIRE))
    assert refusal is None and [c.n for c in citations] == [1] and text.endswith("[1].")


def test_an_invented_figure_is_refused():
    _, _, refusal = check_answer("Acme Oil's profit was $14.1 million [1].", "What was Acme Oil's profit?",
                                 context(WIRE))
    assert refusal[0] is Refusal.UNSUPPORTED and "14.1" in refusal[1]


def test_names_from_elsewhere_in_the_article_are_not_refused():
    """The shown sentence says 'the company'; the article names the parent in its first sentence."""
    _, _, refusal = check_answer("Global Petroleum's unit produced 3.5 mln bpd [1].", "How much did it produce?",
                                 context("The company said output reached 3.5 mln bpd."))
    assert refusal is None


def test_a_name_in_no_article_is_refused():
    _, _, refusal = check_answer("Exxon produced 3.5 mln bpd [1].", "How much oil?", context(WIRE))
    assert refusal[0] is Refusal.UNSUPPORTED and "Exxon" in refusal[1]


def test_the_right_figure_under_the_wrong_number_is_recited():
    ctx = context("Acme Oil Corp reported results on Tuesday.", WIRE)
    text, citations, refusal = check_answer("Profit was 12.5 mln dlrs [1].", "What was the profit?", ctx)
    assert refusal is None and [c.n for c in citations] == [2] and text.endswith("[2]")


@pytest.mark.parametrize("reply", [prompts.CANNOT_ANSWER, "The sources do not say.", "", "[1]"])
def test_the_sentinel_and_declining_in_other_words_refuse(reply):
    _, _, refusal = check_answer(reply, "What was the dividend?", context(WIRE))
    assert refusal[0] is Refusal.SENTINEL


def test_low_relevance_refuses_without_asking_the_model():
    llm = Scripted("Profit was 12.5 mln dlrs [1].")
    final = answer(llm, context(WIRE, similarity=0.1))
    assert final.refused and final.refusal is Refusal.LOW_RELEVANCE and llm.calls == 0
    assert final.answer == prompts.REFUSAL and final.citations == []


def test_a_model_leaning_to_the_sentinel_is_refused_even_when_it_answers():
    final = answer(Scripted("Profit was 12.5 mln dlrs [1].", leaning=0.8), context(WIRE))
    assert final.refused and final.refusal is Refusal.UNSURE and final.draft.startswith("Profit")
    assert final.confidence["sentinel_probability"] == 0.8


def test_a_confident_supported_answer_is_given_with_its_confidence():
    final = answer(Scripted("Profit was 12.5 mln dlrs [1].", leaning=None), context(WIRE))
    assert not final.refused and final.citations[0].path == "acme.txt"
    assert final.confidence == {"similarity": 0.6, "sentinel_probability": None}
    assert final.to_dict()["refusal"] is None


def test_probe_share_adds_the_tokens_that_begin_the_sentinel():
    assert probe_share({"NOT": 0.2, "N": 0.05, " Acme": 0.7, "": 0.05}, "NOT IN SOURCES") == pytest.approx(0.25)


def test_a_name_the_sources_never_mention_refuses_before_generation():
    llm = Scripted("Profit was 12.5 mln dlrs [1].")
    *_, final = generate("How many subscribers did Netflix add in 1987?", context(WIRE), llm, max_tokens=64,
                         thresholds=Thresholds(0.3, 0.5), started=time.perf_counter(), retrieval_seconds=0.0)
    assert final.refused and final.refusal is Refusal.UNCOVERED and llm.calls == 0
    assert "Netflix" in final.refusal_reason and "1987" not in final.refusal_reason  # the dateline has 1987
