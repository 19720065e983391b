"""``/v1/chat/completions`` alone, over a scripted QA and the fake model: whole, streamed, and a follow-up."""

import json

import pytest
from scripted import TEXT, ScriptedQA, serve

from qa.server.routes.chat import router

pytestmark = pytest.mark.unit
ASK = [{"role": "user", "content": "Who ordered zeppelins?"}]


def test_a_completion_carries_the_answer_and_its_citations(tmp_path):
    qa = ScriptedQA(tmp_path)
    reply = serve(router, qa).post("/v1/chat/completions", json={"model": "qa", "messages": ASK,
                                                                  "temperature": 0.2}).json()
    assert reply["object"] == "chat.completion" and reply["choices"][0]["message"]["content"] == TEXT
    assert reply["citations"][0]["path"] == "acme.md" and reply["refused"] is False
    assert qa.calls == [("stream", "Who ordered zeppelins?", None, None)]  # a first question is searched as asked


def test_a_follow_up_is_searched_as_the_model_rewrote_it(tmp_path):
    qa = ScriptedQA(tmp_path, rewrites=["What did Acme order in March?"])
    messages = [*ASK, {"role": "assistant", "content": "Acme [1]."}, {"role": "user", "content": "And when?"}]
    serve(router, qa).post("/v1/chat/completions", json={"messages": messages, "filters": {"source": "wire"}})
    (_, question, filters, searched), = qa.calls
    assert (question, filters.source, searched) == ("And when?", "wire", "What did Acme order in March?")


def test_a_stream_is_server_sent_events_ending_with_the_extras(tmp_path):
    response = serve(router, ScriptedQA(tmp_path)).post("/v1/chat/completions", json={"messages": ASK,
                                                                                       "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache" and response.headers["x-accel-buffering"] == "no"
    events = [line.removeprefix("data: ") for line in response.text.split("\n\n") if line]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == TEXT
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"][0]["n"] == 1


@pytest.mark.parametrize("stream", [False, True])
def test_mistakes_are_statuses_before_a_stream_begins(tmp_path, stream):
    client = serve(router, ScriptedQA(tmp_path))
    nobody = client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "hi"}],
                                                       "stream": stream})
    assert nobody.status_code == 400 and nobody.json() == {"error": {"message": "the messages hold no user message"}}
    bad_date = client.post("/v1/chat/completions", json={"messages": ASK, "stream": stream,
                                                         "filters": {"since": "2025-02-30"}})
    assert bad_date.status_code == 400


@pytest.mark.parametrize("stream", [False, True])
def test_a_full_queue_is_503_with_retry_after(tmp_path, stream):
    client = serve(router, ScriptedQA(tmp_path), queue=0)
    assert client.app.state.gate.try_wait()
    busy = client.post("/v1/chat/completions", json={"messages": ASK, "stream": stream})
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
