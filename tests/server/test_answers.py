"""Answers over HTTP without a model: a scripted answer stream run to its Answer, cancelled on the way, and the
fields every answering endpoint adds."""

import asyncio
import threading

import pytest
from standins import Request, answer

from qa.server.answers import answered, extras, generate
from qa.server.errors import Cancelled
from qa.server.gate import Gate

pytestmark = pytest.mark.unit


class Stream:
    """An answer stream: pieces, then the Answer; it notes whether it was closed, as a generation must be."""

    def __init__(self, items, on_piece=None):
        self.items, self.on_piece, self.closed, self.read = items, on_piece, False, 0

    def __iter__(self):
        for item in self.items:
            self.read += 1
            if self.on_piece:
                self.on_piece()
            yield item

    def close(self):
        self.closed = True


def test_a_stream_is_run_to_its_answer_and_closed():
    final = answer()
    stream = Stream(["Acme", " ordered", final])
    assert generate(lambda: stream, threading.Event()) is final and stream.closed


def test_a_generation_cancelled_before_it_starts_never_asks_the_model():
    cancelled = threading.Event()
    cancelled.set()
    assert generate(lambda: pytest.fail("the stream was made"), cancelled) is None


def test_a_generation_cancelled_mid_way_stops_at_its_next_piece():
    cancelled = threading.Event()
    stream = Stream(["Acme", " ordered", " twelve", answer()], on_piece=cancelled.set)
    assert generate(lambda: stream, cancelled) is None and stream.read == 1 and stream.closed


def test_a_stream_without_an_answer_gives_none():
    assert generate(lambda: Stream(["just words"]), threading.Event()) is None


def test_answered_waits_its_turn_and_gives_the_answer():
    final = answer()
    assert asyncio.run(answered(Gate(queue=0), Request(), lambda: Stream([final]))) is final


def test_answered_raises_cancelled_when_the_generation_gave_nothing():
    with pytest.raises(Cancelled):
        asyncio.run(answered(Gate(queue=0), Request(), lambda: Stream(["no answer"])))


def test_extras_show_citations_with_the_clients_paths_and_the_refusal():
    shown = extras(answer(path="/srv/news/acme.md"), lambda path: path.rsplit("/", 1)[-1])
    assert shown["citations"][0] | {"path": None} == {
        "n": 1, "title": "Acme orders zeppelins", "source": "wire", "date": "2025-03-01", "text": "Acme ordered.",
        "path": None, "url": "", "page": None}
    assert shown["citations"][0]["path"] == "acme.md"
    assert {k: shown[k] for k in ("refused", "refusal", "refusal_reason", "calculations")} == {
        "refused": False, "refusal": None, "refusal_reason": "", "calculations": []}
    refused = extras(answer("I cannot say.", refused=True), str)
    assert (refused["refused"], refused["refusal"], refused["refusal_reason"]) == (True, "sentinel", "said none")
