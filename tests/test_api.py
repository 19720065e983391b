"""``qa.QA``'s own logic, without an index or a model: settings are copied, questions checked, backends switched
(the scripted ``fake`` backend), the store named for messages. Asking and searching for real are in
tests/answering and tests/retrieval."""

from pathlib import Path

import pytest

from qa import QA
from qa.api import MAX_QUESTION_CHARS, check_question
from qa.errors import InputError
from qa.settings import Settings

pytestmark = pytest.mark.unit


def test_a_qa_copies_its_settings_so_the_callers_stay_as_they_were(tmp_path):
    mine = Settings.defaults()
    qa = QA(index=tmp_path / "idx", settings=mine, llm="fake")
    qa.settings.retrieval.top_k = 9
    assert (qa.index_dir, qa.settings.llm.spec) == (tmp_path / "idx", "fake")
    assert (mine.retrieval.top_k, mine.index.path, mine.llm.spec) == (5, None, "llamacpp")


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"), ("   \x01\x1b  ", "empty"), ("x" * (MAX_QUESTION_CHARS + 1), "the limit is 2,000"),
])
def test_questions_no_search_could_use_are_input_errors(text, fragment):
    with pytest.raises(InputError, match=fragment):
        check_question(text)


def test_a_question_loses_its_control_characters_and_keeps_its_lines():
    assert check_question(" What\x07 was\nrevenue?\t ") == "What  was\nrevenue?"


def test_use_llm_checks_the_new_backend_before_switching(tmp_path):
    qa = QA(index=tmp_path / "idx", settings=Settings.defaults(), llm="fake")
    with pytest.raises(InputError, match="unknown --llm"):
        qa.use_llm("nonsense")
    assert qa.settings.llm.spec == "fake"


@pytest.mark.parametrize("store, named", [
    ("faiss", "index {folder}"), ("milvus://localhost:19530", "Milvus store milvus://localhost:19530"),
])
def test_the_store_is_named_for_messages_without_being_opened(tmp_path, store, named):
    settings = Settings.defaults().updated({"index.store": store})
    qa = QA(index=tmp_path / "idx", settings=settings)
    assert qa.store_name == named.format(folder=tmp_path / "idx")
    assert not Path(tmp_path / "idx").exists()
