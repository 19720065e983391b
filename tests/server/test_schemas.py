"""Request bodies alone: the words of a message, and filters named as the CLI names them."""

import pytest
from pydantic import ValidationError

from qa.errors import InputError
from qa.server.schemas import ChatRequest, FiltersIn, Message, SearchRequest

pytestmark = pytest.mark.unit


def test_a_message_is_its_text_however_it_was_sent():
    assert Message(role="user", content="Who?").text() == "Who?"
    assert Message(role="user", content=None).text() == ""
    parts = [{"type": "text", "text": "Who"}, {"type": "image_url", "image_url": {"url": "x"}}, {"type": "text"},
             {"type": "text", "text": "ordered?"}]
    assert Message(role="user", content=parts).text() == "Who ordered?"


def test_filters_take_the_clis_names_and_a_bad_date_is_the_clients_mistake():
    filters = FiltersIn(source="wire", since="2025-01-01", until="2025-02", title="Acme", company="Acme").filters()
    assert (filters.source, filters.date_from, filters.title, filters.company) == ("wire", "2025-01-01", "Acme", "Acme")
    assert filters.date_to.startswith("2025-02")
    with pytest.raises(InputError, match="since"):
        FiltersIn(since="2025-02-30").filters()


def test_openais_sampling_fields_are_accepted_and_ignored():
    request = ChatRequest(messages=[{"role": "user", "content": "Who?"}], temperature=0.7, top_p=0.9)
    assert request.model == "qa" and request.stream is False and request.filters is None


@pytest.mark.parametrize("body", [{"messages": []}, {"messages": [{"role": "wizard", "content": "hi"}]},
                                  {"messages": [{"role": "user", "content": 123}]}])
def test_a_chat_request_must_hold_messages_of_known_roles(body):
    with pytest.raises(ValidationError):
        ChatRequest(**body)


@pytest.mark.parametrize("k", [0, 101])
def test_a_search_asks_for_1_to_100_passages(k):
    with pytest.raises(ValidationError):
        SearchRequest(query="Acme", k=k)
