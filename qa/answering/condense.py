"""The condense-question step of a conversation, shared by ``qa chat`` and ``qa serve``: a follow-up such as "And
its net income?" is rewritten from the turns before it into "What was Alibaba's net income in the December
quarter?", so that retrieval, which sees one question, finds what the follow-up means."""

from __future__ import annotations

from ..llms import LLM
from . import prompts


def standalone(llm: LLM, turns: list[tuple[str, str]], question: str, history_turns: int) -> str:
    """``question`` rewritten to stand alone, from the last ``history_turns`` (question, answer) turns before it;
    unchanged when there are none or the rewrite looks broken (empty, or far longer than a question)."""
    if not turns:
        return question
    history = "\n".join(f"User: {q}\nAssistant: {a}" for q, a in turns[-history_turns:])
    messages = [
        {"role": "system", "content": prompts.CONDENSE_SYSTEM},
        {"role": "user", "content": prompts.CONDENSE_USER.format(history=history, question=question)},
    ]
    rewritten = llm.complete(messages, max_tokens=64, stop=["\n"]).strip().strip('"')
    return rewritten if 3 < len(rewritten) < 4 * len(question) + 200 else question
