"""``/v1/search`` and ``/v1/ask`` alone, over a scripted QA: the CLI's filters, paths a client may see, the queue."""

import pytest
from scripted import TEXT, ScriptedQA, serve

from qa.server.routes.questions import router

pytestmark = pytest.mark.unit


def test_a_search_passes_query_k_and_filters_and_shows_client_paths(tmp_path):
    qa = ScriptedQA(tmp_path)
    found = serve(router, qa).post("/v1/search", json={"query": "zeppelins", "k": 3, "source": "wire",
                                                       "since": "2025-01-01"}).json()
    assert [p["path"] for p in found] == ["acme.md"] and found[0]["text"] == TEXT
    (_, query, k, filters), = qa.calls
    assert (query, k, filters.source, filters.date_from) == ("zeppelins", 3, "wire", "2025-01-01")


def test_an_answer_is_qas_answer_with_its_extras(tmp_path):
    qa = ScriptedQA(tmp_path)
    answer = serve(router, qa).post("/v1/ask", json={"question": "Who ordered zeppelins?", "title": "Acme"}).json()
    assert answer["answer"] == TEXT and answer["refused"] is False and answer["refusal"] is None
    assert answer["citations"][0]["path"] == "acme.md" and answer["calculations"] == []
    assert qa.calls[0][2].title == "Acme" and qa.calls[0][3] is None


@pytest.mark.parametrize("path, body, message", [
    ("/v1/ask", {"question": "  "}, "the question is empty"),
    ("/v1/ask", {"question": "Who?", "since": "2025-02-30"}, "bad date for since"),
    ("/v1/search", {"query": "Acme", "until": "2025-13"}, "bad date for until"),
])
def test_a_bad_question_or_filter_is_400(tmp_path, path, body, message):
    response = serve(router, ScriptedQA(tmp_path)).post(path, json=body)
    assert response.status_code == 400 and response.json()["error"]["message"].startswith(message)


def test_an_answer_waits_for_a_place_in_the_queue_and_a_search_needs_none(tmp_path):
    client = serve(router, ScriptedQA(tmp_path), queue=0)
    assert client.app.state.gate.try_wait()  # an answer is generating
    busy = client.post("/v1/ask", json={"question": "Who ordered zeppelins?"})
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert client.post("/v1/search", json={"query": "zeppelins"}).status_code == 200
