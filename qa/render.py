"""How an answer reaches a terminal: streamed as it is generated, then its citations. One renderer for
``qa ask`` and ``qa chat``."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape

from .answering.records import Answer

WORKING = "reading the sources…"


def final_answer(stream: Iterable[str | Answer]) -> Answer:
    """The Answer at the end of a stream, the text before it unread."""
    return next(item for item in stream if isinstance(item, Answer))


def stream_answer(console: Console, stream: Iterable[str | Answer], live: bool) -> Answer:
    """Print the answer as it is generated when ``live``, else once; the final text replaces the streamed one,
    because the checks may turn it into a refusal or put a computed figure and its working in."""
    if not live:
        answer = final_answer(stream)
        console.print(escape(answer.answer))
        return answer
    from rich.live import Live
    from rich.spinner import Spinner

    text = ""
    # until the first words come (reading the sources takes seconds on a CPU), say that the answer is on its way
    with Live(Spinner("dots", WORKING, style="dim"), console=console, refresh_per_second=12) as view:
        for item in stream:
            if isinstance(item, Answer):
                view.update(escape(item.answer))
                return item
            text += item
            view.update(escape(text))
    raise RuntimeError("the answer stream ended without an Answer")


def print_citations(console: Console, answer: Answer) -> None:
    for c in answer.citations:
        where = " · ".join(escape(x) for x in (c.date, c.source, c.url) if x)
        console.print(f"  [{c.n}] {escape(c.label)} · {where}", style="dim", highlight=False)
