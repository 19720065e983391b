"""The condense step: a follow-up rewritten from the conversation, with a scripted model standing in."""

import pytest

from qa.answering.condense import standalone
from qa.llms.fake import FakeLLM

pytestmark = pytest.mark.unit

TURNS = [("Who runs Tencent?", "Ma Huateng [1]"), ("What was Alibaba's revenue?", "280.2 billion yuan [1]")]


class Recording(FakeLLM):
    """The fake model, keeping the messages it was sent."""

    def complete(self, messages, max_tokens, stop=None):
        self.sent = messages
        return super().complete(messages, max_tokens, stop)


def test_a_follow_up_is_rewritten_from_the_last_turns_only():
    llm = Recording(replies=['"What was Alibaba\'s net income?"'])
    assert standalone(llm, TURNS, "And its net income?", history_turns=1) == "What was Alibaba's net income?"
    shown = llm.sent[-1]["content"]
    assert "Alibaba's revenue" in shown and "Tencent" not in shown


@pytest.mark.parametrize("reply", ["", "ok", "x" * 500])
def test_a_broken_rewrite_keeps_the_question_as_asked(reply):
    assert standalone(FakeLLM(replies=[reply]), TURNS, "And its net income?", history_turns=3) == "And its net income?"


def test_a_first_question_is_not_sent_to_the_model():
    llm = Recording(replies=["anything else"])
    assert standalone(llm, [], "Who runs Tencent?", history_turns=3) == "Who runs Tencent?"
    assert not hasattr(llm, "sent")
