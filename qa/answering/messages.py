"""The messages sent to the model: the prompts of ``prompts`` filled with the question and the sentences shown,
sources quoted so that they cannot close their quotation or pass for the chat template's tokens."""

from __future__ import annotations

import re

from ..retrieval.context import Context
from ..text.dates import long_date
from . import figures, prompts
from .records import page_label


def _chat(system: str, examples: list[tuple[str, str]], user: str) -> list[dict]:
    """A system message, worked exchanges (the prompt's fixed, cached opening), then the question."""
    shown = [{"role": role, "content": text} for pair in examples for role, text in zip(("user", "assistant"), pair)]
    return [{"role": "system", "content": system}, *shown, {"role": "user", "content": user}]


_CONTROL_TOKEN = re.compile(r"<\|[^|>]{1,40}\|>")


def _quote(text: str) -> str:
    """Keep a source from closing its own quotation or smuggling in chat-template tokens (<|im_start|>)."""
    return _CONTROL_TOKEN.sub(" ", text).replace("<<<", "« ").replace(">>>", " »")


def choosing_messages(question: str, context: Context) -> list[dict]:
    """The prompt of the first decision: the context's sentences, one a line, under their articles' headers.
    They are not lettered: given letters, the model answered with one (measured on SQuAD seed 1)."""
    lines, header = [], 0
    headers = article_headers(context)
    for n, sentence in context.sentences:
        if n != header:
            lines.append(headers[n])
            header = n
        lines.append(f"- {_quote(sentence)}")
    return _chat(prompts.CHOOSE_SYSTEM, prompts.CHOOSE_EXAMPLES,
                 prompts.CHOOSE_USER.format(sources="\n".join(lines), question=question))


def article_headers(context: Context) -> dict[int, str]:
    """Each shown passage's header line, by its number: "Article 1: title (date, source)"."""
    return {n: prompts.CHOOSE_ARTICLE.format(n=n, title=_quote(page_label(p.heading, p.page)), date=long_date(p.date),
                                             source=_quote(p.source or "unknown"))
            for n, p in enumerate(context.shown, start=1)}


def operating_messages(question: str, lines: list[str]) -> list[dict]:
    """The prompt of the computing step: the sentences with their figures marked, and the operations."""
    operations = "\n".join(f"- {o.name}: {o.description}" for o in figures.OPERATIONS.values())
    return _chat(prompts.OPERATE_SYSTEM.format(operations=operations, none=prompts.NONE), prompts.OPERATE_EXAMPLES,
                 prompts.OPERATE_USER.format(sources="\n".join(_quote(line) for line in lines), question=question))
