"""The terminal renderer of ``qa ask`` and ``qa chat``: the final text wins over what was streamed, markup in an
answer or a source is shown as written, and a stream without an Answer is a bug, not a silent blank."""

import io

import pytest
from rich.console import Console

from qa.answering.records import Answer, Citation
from qa.render import final_answer, print_citations, stream_answer
from qa.retrieval.search import Passage
from qa.store.chunks import Chunk

pytestmark = pytest.mark.unit


def answer(text: str, citations: list[Citation] | None = None) -> Answer:
    return Answer(question="q", answer=text, refused=False, citations=citations or [], model="fake", timings={})


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, force_terminal=False, color_system=None), out


@pytest.mark.parametrize("live", [False, True])
def test_the_final_text_replaces_what_was_streamed(live):
    shown, out = console()
    final = stream_answer(shown, iter(["48.9 ", "billion", answer("The articles don't say.")]), live)
    assert final.answer == "The articles don't say." and "The articles don't say." in out.getvalue()


def test_markup_in_an_answer_is_printed_as_written():
    shown, out = console()
    stream_answer(shown, iter([answer("[bold]revenue[/bold] rose [1]")]), live=False)
    assert "[bold]revenue[/bold] rose [1]" in out.getvalue()


def test_a_stream_without_an_answer_is_an_error():
    with pytest.raises(RuntimeError, match="without an Answer"):
        stream_answer(console()[0], iter(["half an answer"]), live=True)
    with pytest.raises(StopIteration):
        final_answer(iter(["half an answer"]))


def test_citations_name_their_page_date_source_and_address():
    shown, out = console()
    chunk = Chunk(path="a.pdf", title="Acme annual report 2024", date="2025-02-20", source="Acme",
                  url="https://example.com/a.pdf", text="", ordinal=0, page=37)
    cited = Citation(n=2, passage=Passage(rank=1, score=0.03, similarity=0.8, chunk_id=0, chunk=chunk))
    print_citations(shown, answer("x [2]", [cited]))
    assert out.getvalue().strip() == ("[2] Acme annual report 2024, p. 37 · 2025-02-20 · Acme · "
                                      "https://example.com/a.pdf")
