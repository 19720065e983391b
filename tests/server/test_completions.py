"""OpenAI's chat-completion format alone: a conversation read from messages, a completion, a stream's chunks and
its server-sent events, ended however the client or the server ends them."""

import asyncio
import json
import threading

import pytest
from starlette.requests import ClientDisconnect
from standins import TEXT, Request, answer

from qa.errors import InputError
from qa.server.completions import (STREAM_PIECE_CHARS, EventStream, answer_events, chunk, completion, conversation,
                                   events, sse, streamed)
from qa.server.errors import Busy, Cancelled
from qa.server.gate import Gate
from qa.server.schemas import Message

pytestmark = pytest.mark.unit


def messages(*pairs) -> list[Message]:
    return [Message(role=role, content=content) for role, content in pairs]


def test_the_last_user_message_is_the_question_and_answered_ones_are_turns():
    question, turns = conversation(messages(
        ("system", "be brief"), ("assistant", "Hello."), ("user", "Who ordered zeppelins?"),
        ("assistant", "Acme [1]."), ("user", "Unanswered?"), ("user", "How many?"), ("assistant", "Twelve."),
        ("user", [{"type": "text", "text": "And"}, {"type": "image_url"}, {"type": "text", "text": "when?"}])))
    assert question == "And when?"
    assert turns == [("Who ordered zeppelins?", "Acme [1]."), ("How many?", "Twelve.")]


def test_a_conversation_without_a_user_message_is_the_clients_mistake():
    with pytest.raises(InputError, match="the messages hold no user message"):
        conversation(messages(("system", "hi"), ("assistant", "hello")))


def test_a_completion_is_openais_shape_with_the_checked_text():
    made = completion(answer(), "chat.completion")
    assert made["id"].startswith("chatcmpl-") and len(made["id"]) == len("chatcmpl-") + 24
    assert made["object"] == "chat.completion" and made["model"] == "qa" and isinstance(made["created"], int)
    assert made["choices"] == [{"index": 0, "message": {"role": "assistant", "content": TEXT}, "finish_reason": "stop"}]
    assert made["usage"] == {"prompt_tokens": 42, "completion_tokens": 0, "total_tokens": 42}


def test_a_chunk_and_its_event():
    assert chunk("chatcmpl-1", 7, {"content": "Acme"}) == {
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 7, "model": "qa",
        "choices": [{"index": 0, "delta": {"content": "Acme"}, "finish_reason": None}]}
    assert sse({"text": "Zürich"}) == 'data: {"text": "Zürich"}\n\n'


def test_an_answer_streams_in_pieces_then_its_extras_then_done():
    sent = list(answer_events(answer(), "chatcmpl-1", 7, lambda path: "acme.md"))
    assert sent[-1] == "data: [DONE]\n\n"
    chunks = [json.loads(event.removeprefix("data: ")) for event in sent[:-1]]
    pieces = [c["choices"][0]["delta"].get("content", "") for c in chunks[:-1]]
    assert "".join(pieces) == TEXT and max(map(len, pieces)) == STREAM_PIECE_CHARS
    last = chunks[-1]
    assert last["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}
    assert last["citations"][0]["path"] == "acme.md" and last["refused"] is False


def streamed_events(outcome, request=None, stopping=None) -> tuple[list[str], threading.Event]:
    """Every event ``events`` sends for a generation that ends in ``outcome`` (an Answer, None, an exception, or
    ``...`` for one that never ends), and the cancel event it leaves."""
    cancelled, stopping = threading.Event(), stopping or threading.Event()

    async def run():
        future = asyncio.get_running_loop().create_future()
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        elif outcome is not ...:
            future.set_result(outcome)
        return [event async for event in events(future, cancelled, request or Request(), stopping, str)]

    return asyncio.run(run()), cancelled


def test_a_stream_opens_with_the_role_and_carries_the_answer():
    sent, cancelled = streamed_events(answer())
    assert json.loads(sent[0].removeprefix("data: "))["choices"][0]["delta"] == {"role": "assistant"}
    assert sent[-1] == "data: [DONE]\n\n" and cancelled.is_set()
    assert len({json.loads(e.removeprefix("data: "))["id"] for e in sent[:-1]}) == 1


@pytest.mark.parametrize("outcome", [None, Cancelled()])
def test_a_generation_that_gave_nothing_ends_the_stream_after_the_role(outcome):
    sent, cancelled = streamed_events(outcome)
    assert len(sent) == 1 and cancelled.is_set()


def test_an_error_in_the_generation_is_an_error_event():
    sent, _ = streamed_events(InputError("the question is empty"))
    assert sent[-1] == 'data: {"error": {"message": "the question is empty"}}\n\n'


def test_a_server_that_stops_sends_an_error_event():
    stopping = threading.Event()
    stopping.set()
    sent, cancelled = streamed_events(..., stopping=stopping)
    assert sent[-1] == 'data: {"error": {"message": "the server is stopping"}}\n\n' and cancelled.is_set()


def test_a_client_that_goes_away_cancels_the_generation():
    sent, cancelled = streamed_events(..., request=Request(gone=True))
    assert len(sent) == 1 and cancelled.is_set()


def test_a_full_queue_is_refused_before_a_stream_begins():
    gate = Gate(queue=0)
    assert gate.try_wait()
    with pytest.raises(Busy):
        streamed(gate, Request(), lambda: pytest.fail("the stream was made"), str)


def test_an_event_stream_cancels_its_work_even_when_its_body_was_never_read():
    cancelled = threading.Event()

    async def never_read():
        yield "data: never\n\n"

    async def gone(message):
        raise OSError("the client went away")

    async def receive():
        return {"type": "http.disconnect"}

    response = EventStream(never_read(), cancelled, media_type="text/event-stream")
    with pytest.raises(ClientDisconnect):  # starlette's name for the OSError of a send to a closed connection
        asyncio.run(response({"type": "http", "asgi": {"spec_version": "2.4"}}, receive, gone))
    assert cancelled.is_set()
