"""Settings: one precedence rule (explicit > environment > preset file > defaults), each source tested once."""

from pathlib import Path

import pytest

from qa.errors import InputError
from qa.settings import Settings, env_name

pytestmark = pytest.mark.unit


@pytest.fixture
def preset(tmp_path) -> Path:
    path = tmp_path / "preset.toml"
    path.write_text("[retrieval]\ntop_k = 3\ncontext_sentences = 2\n[answer]\nmax_tokens = 64\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for _, name, field in Settings.fields():
        monkeypatch.delenv(env_name(name, field), raising=False)


def test_with_no_source_every_field_is_its_default():
    assert Settings.load() == Settings() == Settings.defaults()
    assert Settings.defaults().retrieval.top_k == 5


def test_a_preset_file_sets_its_fields_and_leaves_the_rest(preset):
    settings = Settings.load(preset)
    assert (settings.retrieval.top_k, settings.retrieval.context_sentences, settings.answer.max_tokens) == (3, 2, 64)
    assert settings.retrieval.candidates == Settings.defaults().retrieval.candidates


def test_the_environment_is_read_by_flat_names_and_the_two_short_ones(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_CONTEXT_SENTENCES", "4")
    monkeypatch.setenv("QA_INDEX", str(tmp_path))
    monkeypatch.setenv("QA_LLM", "openai:some-model")
    settings = Settings.load()
    assert (settings.retrieval.context_sentences, settings.index.path, settings.llm.spec) == (4, tmp_path,
                                                                                          "openai:some-model")
    assert Settings().retrieval.context_sentences == 4, "Settings() reads the environment too"
    assert Settings.defaults().retrieval.context_sentences == 6, "defaults() does not"


def test_explicit_values_beat_the_environment_which_beats_the_preset(monkeypatch, preset):
    monkeypatch.setenv("QA_CONTEXT_SENTENCES", "4")
    monkeypatch.setenv("QA_MAX_TOKENS", "70")
    settings = Settings.load(preset, {"answer.max_tokens": 80})
    assert (settings.retrieval.top_k, settings.retrieval.context_sentences, settings.answer.max_tokens) == (3, 4, 80)


def test_updated_changes_only_what_it_names_and_does_not_read_the_environment_again(monkeypatch, preset):
    settings = Settings.load(preset)
    monkeypatch.setenv("QA_TOP_K", "9")
    changed = settings.updated({"answer.max_tokens": 50})
    assert (changed.retrieval.top_k, changed.answer.max_tokens, settings.answer.max_tokens) == (3, 50, 64)


@pytest.mark.parametrize("text, fragment", [
    ("[retrieval]\nfavourite_colour = 1\n", "unknown setting 'retrieval.favourite_colour'"),
    ("top_k = 3\n", "'top_k' is not a settings group"),
    ("[retrieval\n", "cannot read settings file"),
])
def test_a_bad_preset_file_is_an_input_error(tmp_path, text, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment):
        Settings.load(path)


def test_a_missing_preset_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read settings file"):
        Settings.load(tmp_path / "absent.toml")


def test_bad_values_name_their_field_from_any_source(monkeypatch):
    with pytest.raises(InputError, match="retrieval.top_k='many'"):
        Settings.load(values={"retrieval.top_k": "many"})
    with pytest.raises(InputError, match="unknown setting 'retrieval.nothing'"):
        Settings.load(values={"retrieval.nothing": 1})
    monkeypatch.setenv("QA_CHUNK_OVERLAP", "500")
    with pytest.raises(InputError, match="chunk_overlap"):
        Settings.load()


def test_serve_settings_come_from_the_environment_and_the_key_is_no_setting(monkeypatch):
    monkeypatch.setenv("QA_PORT", "9001")
    monkeypatch.setenv("QA_API_KEY", "s3cret")
    settings = Settings.load()
    assert (settings.serve.host, settings.serve.port, settings.serve.queue) == ("127.0.0.1", 9001, 4)
    assert "s3cret" not in repr(settings.flat())
