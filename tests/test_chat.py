"""The chat REPL driven through a pseudo-terminal with the real local model, and through a pipe."""

import os

import pexpect
import pytest

from qa.render import WORKING
from conftest import QA_BIN, run_qa

pytestmark = pytest.mark.slow
PROMPT = "›"


@pytest.fixture
def chat(corpus_index, isolated_home):
    child = pexpect.spawn(QA_BIN, ["chat", "--index", str(corpus_index)], env={**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
                          encoding="utf-8", timeout=180, dimensions=(50, 200))
    child.expect_exact(PROMPT)
    yield child
    child.close(force=True)


def ask(child, text: str, *expected: str) -> None:
    """Send a line and wait for each expected piece of output in turn (a timeout fails the test)."""
    child.sendline(text)
    for piece in expected:
        child.expect_exact(piece)


def test_two_turn_conversation_with_sources_reset_and_ctrl_c(chat, isolated_home):
    ask(chat, "What was Alibaba's revenue in the December quarter?", "280.2 billion yuan",
        "[1] Alibaba's December-quarter revenue")
    ask(chat, "And its net income?", "48.9 billion yuan", "[1] Alibaba's December-quarter revenue")
    ask(chat, "/sources", "searched: What was Alibaba's net income", "2025-02-20-alibaba-december-quarter-2024.md")

    chat.sendline("Describe Alibaba's results for the quarter ended December 2024 in detail.")
    chat.expect_exact(WORKING)  # the answer is on its way, and the terminal is back from the line editor's raw mode,
    # where a Ctrl-C is a key of the next prompt rather than a signal
    chat.sendintr()
    chat.expect_exact("(stopped)")
    ask(chat, "/model", "model: llamacpp:")  # still alive and answering commands after Ctrl-C
    ask(chat, "/reset", "conversation forgotten")
    ask(chat, "/sources", "no answer yet")
    ask(chat, "/bogus", "unknown command /bogus")
    ask(chat, "/help", "/sources", "Ctrl-C stops", PROMPT)
    chat.sendeof()
    chat.expect(pexpect.EOF)
    assert (isolated_home / "chat_history").read_text().count("And its net income?") == 1


def test_piped_questions_get_one_answer_each(corpus_index):
    result = run_qa("chat", "--index", str(corpus_index),
                    input="What was Alibaba's revenue in the quarter ended December 2024?\nAnd its net income?\n")
    assert result.returncode == 0, result.stderr
    assert "280.2 billion yuan" in result.stdout and "48.9 billion yuan" in result.stdout
    assert "\x1b[" not in result.stdout and PROMPT not in result.stdout


def test_first_chat_builds_an_index_from_the_bundled_corpus(isolated_home):
    result = run_qa("chat", input="Who is Tencent's president?\n")
    assert result.returncode == 0, result.stderr
    assert "building one from the bundled articles" in result.stderr
    assert "Martin Lau" in result.stdout
    assert (isolated_home / "index" / "CURRENT").exists()
