"""The logic around the model: which signal refuses, how an answer is held to the sources it cites.

A scripted LLM stands in for the model here (it only replays a reply and a first-token probability), so these
run in the fast tier; answers from the real model are tested in test_answer.py.
"""

import time

import pytest

from qa.answering import prompts
from qa.answering.answer import generate
from qa.answering.checks import check_copy
from qa.answering.records import Answer, Asked, Refusal
from qa.retrieval.context import Context
from qa.llms.base import COPY, LLM, first_token_odds, probe_share
from qa.llms.fake import FakeLLM
from qa.retrieval.search import Passage
from qa.settings import AnswerSettings
from qa.store.index import Chunk
from qa.text.words import sentences

pytestmark = pytest.mark.unit

WIRE = ("Acme Oil Corp said first-quarter net profit rose to 12.5 mln dlrs, or 43 cts a share, from 8.7 mln dlrs. "
        "The company said output reached 3.5 mln bpd.")
LEAD = "Acme Oil Corp, a unit of Global Petroleum Holdings, reported results on Tuesday."


def passage(text: str, title: str = "Acme Oil first-quarter profit rises", similarity: float = 0.6) -> Passage:
    return Passage(rank=1, score=0.03, similarity=similarity, chunk_id=0,
                   chunk=Chunk(path="acme.txt", title=title, date="1987-04-07", source="Wire", url="", text=text,
                               ordinal=0))


def context(*texts: str, similarity: float = 0.6) -> Context:
    shown = [passage(t, similarity=similarity) for t in texts]
    article = Chunk(path="acme.txt", title="Acme Oil first-quarter profit rises", date="1987-04-07", source="Wire",
                    url="", text=" ".join([LEAD, WIRE, *texts]), ordinal=0)
    return Context(shown=shown, articles=[article],
                   sentences=[(n, sentence) for n, t in enumerate(texts, start=1) for sentence in sentences(t)])


def scripted(reply: str, none_probability: float | None = 0.01) -> FakeLLM:
    """The registered fake backend, replaying one reply and giving ``none_probability`` to "none"."""
    return FakeLLM(replies=[reply], none_probability=none_probability)


def answer(llm: LLM, ctx: Context, min_relevance: float = 0.3, max_none: float = 0.5,
           question: str = "What was Acme Oil's first-quarter profit?") -> Answer:
    asked = Asked(question, question, started=time.perf_counter())
    settings = AnswerSettings(max_tokens=64, min_relevance=min_relevance, max_none_probability=max_none)
    *_, final = generate(asked, ctx, llm, settings)
    return final


def test_a_spelled_out_figure_is_left_as_written():
    checked = check_copy("two refineries", "What did Acme Oil open?",
                         context("Acme Oil opened two refineries (in thousands of barrels a day: 250)."))
    assert checked.refusal is None and checked.text == "two refineries [1]"


def test_low_relevance_refuses_without_asking_the_model():
    llm = scripted("12.5 mln dlrs")
    final = answer(llm, context(WIRE, similarity=0.1))
    assert final.refused and final.refusal is Refusal.LOW_RELEVANCE and llm.calls == 0
    assert final.answer == prompts.REFUSAL and final.citations == []


def test_a_copy_cites_the_sentence_that_holds_it():
    final = answer(scripted("12.5 mln dlrs", none_probability=None), context(LEAD, WIRE))
    assert not final.refused and final.route == "copy"
    assert final.answer == "12.5 mln dlrs [2]" and [c.n for c in final.citations] == [2]
    assert final.confidence["choice_probability"] == 1.0 and final.to_dict()["refusal"] is None


def test_a_model_giving_too_much_probability_to_none_is_refused_even_when_it_copies():
    final = answer(scripted("12.5 mln dlrs", none_probability=0.4), context(WIRE), max_none=0.3)
    assert final.refused and final.refusal is Refusal.UNSURE and final.confidence["none_probability"] == 0.4


def test_choosing_none_refuses():
    final = answer(scripted("none"), context(WIRE))
    assert final.refused and final.refusal is Refusal.SENTINEL and final.citations == []


def test_words_that_are_no_sentence_shown_are_refused():
    """A backend that only returns text (an OpenAI-compatible server) is held to the sentence it chose."""
    final = answer(scripted("14.1 mln dlrs"), context(WIRE))
    assert final.refused and final.refusal is Refusal.UNSUPPORTED


def test_an_answer_that_only_restates_the_question_is_refused():
    final = answer(scripted("Acme Oil Corp"), context(WIRE), question="What did Acme Oil Corp earn?")
    assert final.refused and final.refusal is Refusal.RESTATED


def test_the_choice_prompt_lists_sentences_under_their_articles():
    from qa.answering.messages import choosing_messages

    user = choosing_messages("What was the profit?", context(LEAD, WIRE))[-1]["content"]
    assert user.splitlines()[:2] == ["Article 1: Acme Oil first-quarter profit rises (April 7, 1987, Wire)",
                                     f"- {LEAD}"]
    assert "- The company said output reached 3.5 mln bpd." in user and user.endswith("Question: What was the profit?")


def test_the_fake_backend_is_registered_and_replays_its_file(tmp_path):
    from qa.llms import backends

    replies = tmp_path / "replies.txt"
    replies.write_text("@0.4 12.5 mln dlrs\nnone\n")
    llm = backends()["fake"].load()(str(replies), None)
    assert llm.choose([], ["Profit was 12.5 mln dlrs."], ["none", "calculate"], 8).odds["none"] == pytest.approx(0.4)
    assert "".join(llm.stream([], 8)) == "none"


def test_probe_share_adds_the_tokens_that_begin_a_word():
    assert probe_share({"no": 0.2, "n": 0.05, " Acme": 0.7, "": 0.05}, "none") == pytest.approx(0.25)


def test_first_token_odds_count_the_tokens_that_begin_each_word_and_give_copying_the_rest():
    odds = first_token_odds({"calc": 0.2, "none": 0.1, "n": 0.1, " Acme": 0.4, "12": 0.2}, ["none", "calculate"])
    assert odds == pytest.approx({"none": 0.2, "calculate": 0.2, COPY: 0.6})
    assert first_token_odds({}, ["none"]) is None


def test_a_name_no_article_mentions_refuses_before_the_model_is_asked():
    llm = scripted("12.5 mln dlrs")
    final = answer(llm, context(WIRE), question="How many subscribers did Netflix add in 1987?")
    assert final.refused and final.refusal is Refusal.UNCOVERED and llm.calls == 0
    assert "Netflix" in final.refusal_reason and "1987" not in final.refusal_reason  # the dateline has 1987


def test_a_name_elsewhere_in_the_article_is_not_uncovered():
    """The shown sentence says "the company"; the article names its parent in its first sentence."""
    final = answer(scripted("3.5 mln bpd"), context("The company said output reached 3.5 mln bpd."),
                   question="How much oil did Global Petroleum's unit produce?")
    assert not final.refused and final.answer == "3.5 mln bpd [1]"


def test_a_name_in_another_script_is_something_the_question_does_not_say():
    final = answer(scripted("γδ T cells"), context("Some γδ T cells help both kinds of immunity."),
                   question="What type of T cells help with both kinds of immunity?")
    assert not final.refused and final.answer.startswith("γδ T cells")


def test_a_figure_copied_without_its_signs_gets_them_from_its_sentence():
    final = answer(scripted("48.4 billion"), context("Meta reported revenue of $48.4 billion, up 21 from 2023."),
                   question="How much revenue did Meta report?")
    assert final.answer == "$48.4 billion [1]"
    final = answer(scripted("up 21"), context("Meta reported revenue of $48.4 billion, up 21% from 2023."),
                   question="How much did Meta's revenue grow?")
    assert final.answer == "up 21% [1]"


def test_naming_one_of_the_options_the_question_offers_is_an_answer():
    final = answer(scripted("Meta"), context("Meta earned $20.8 billion, more than Amazon."),
                   question="Which made more net income, Meta or Amazon?")
    assert not final.refused and final.answer == "Meta [1]"


def test_a_figure_copied_from_a_table_row_takes_the_scale_and_currency_of_its_units_line():
    row = "Research and development (in millions of euros): Six months ended June 30, 2025 is 148; 2024 is 139."
    final = answer(scripted("148"), context(row), question="How much did Acme spend on research in 2025?")
    assert final.answer == "148 million euros [1]"
