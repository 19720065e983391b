"""Bad input gets one line on stderr and a non-zero exit, never a traceback. Errors found before any model or
embedder loads are run in this process with typer's CliRunner (unit); the rest through the installed command."""

from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from conftest import article, run_qa, write
from qa.cli import app


def invoke(*args: str) -> SimpleNamespace:
    """``qa ARGS`` in this process, its result shaped as ``run_qa``'s."""
    result = CliRunner().invoke(app, list(args))
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def one_line_error(result, code, fragment):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and fragment in lines[0], result.stderr


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    one_line_error(run_qa("ingest", str(tmp_path / "empty"), "--index", str(tmp_path / "i")), 2, "no readable")


def test_missing_path(tmp_path):
    one_line_error(run_qa("ingest", str(tmp_path / "nope"), "--index", str(tmp_path / "i")), 2, "no such file")


def test_only_unreadable_files(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_bytes(b"\x00\xff\x00binary")
    result = run_qa("ingest", str(tmp_path / "d"), "--index", str(tmp_path / "i"))
    one_line_error(result, 2, "no readable")
    assert "warning: skipped" in result.stderr and "binary" in result.stderr


@pytest.mark.unit
def test_missing_index_to_search(tmp_path):
    one_line_error(invoke("search", "anything", "--index", str(tmp_path / "none")), 3, "no index")


def test_missing_index_to_ask(tmp_path):  # in its own process: ask starts loading the model beside the search
    one_line_error(run_qa("ask", "anything?", "--index", str(tmp_path / "none")), 3, "no index")


def test_foreign_index_via_environment(tmp_path):
    write(tmp_path / "d", "a.md", article("Acme", "Acme grew."))
    assert run_qa("ingest", str(tmp_path / "d"), env={"QA_INDEX": str(tmp_path / "i")}).returncode == 0
    manifest = next((tmp_path / "i").glob("gen-*/manifest.json"))
    manifest.write_text(manifest.read_text().replace("all-MiniLM-L6-v2", "other-model"))
    one_line_error(run_qa("search", "Acme", env={"QA_INDEX": str(tmp_path / "i")}), 3, "other-model")


@pytest.mark.parametrize("args, code, fragment", [
    (["search", "", "--index", "IDX"], 2, "empty"),
    (["search", "x" * 100_000, "--index", "IDX"], 2, "limit"),
    (["search", "\x01\x02\x1b", "--index", "IDX"], 2, "empty"),
    (["search", "Acme", "-k", "-3", "--index", "IDX"], 2, "positive"),
    (["ask", "What?", "--llm", "nonsense", "--index", "IDX"], 2, "unknown --llm"),
    (["ask", "What?", "--llm", "llamacpp:/no/such/model.gguf", "--index", "IDX"], 4, "no such file: /no/such/model.gguf"),
    (["ask", "What?", "--llm", "llamacpp:no-such-preset", "--index", "IDX"], 4, "unknown local model"),
    (["ask", "What?", "--llm", "openai:gpt-4o-mini", "--index", "IDX"], 4, "OPENAI_API_KEY"),
    (["search", "Acme", "--since", "notadate", "--index", "IDX"], 2, "bad date for since: 'notadate'"),
    (["search", "Acme", "--until", "2025-02-30", "--index", "IDX"], 2, "bad date for until: '2025-02-30'"),
    (["ask", "What?", "--since", "2025-13", "--index", "IDX"], 2, "bad date for since"),
    (["serve", "--port", "70000", "--index", "IDX"], 2, "--port must be between 0 and 65535, not 70000"),
    (["serve", "--port", "-1", "--index", "IDX"], 2, "--port must be between"),
    (["serve", "--queue", "-1", "--index", "IDX"], 2, "bad setting serve.queue=-1"),
])
def test_bad_questions_and_options(small_index, args, code, fragment):
    one_line_error(run_qa(*[str(small_index) if a == "IDX" else a for a in args]), code, fragment)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    """One article's index, which the bad options above must leave as it is."""
    folder = tmp_path_factory.mktemp("small")
    write(folder / "d", "a.md", article("Acme", "Acme grew."))
    assert run_qa("ingest", str(folder / "d"), "--index", str(folder / "i")).returncode == 0
    return folder / "i"


def test_ingest_reports_counts(tmp_path):
    write(tmp_path / "d", "a.md", article("Acme", "Acme grew."))
    result = run_qa("ingest", str(tmp_path / "d"), "--index", str(tmp_path / "i"))
    assert result.returncode == 0 and "1 added" in result.stdout
    again = run_qa("ingest", str(tmp_path / "d"), "--index", str(tmp_path / "i"))
    assert "0 added" in again.stdout and "1 unchanged" in again.stdout


def test_every_setting_can_come_from_a_preset_file_the_environment_or_the_command_line(tmp_path):
    import json

    preset = write(tmp_path, "fast.toml", "[retrieval]\ntop_k = 3\ncontext_sentences = 2\n"
                                          "[answer]\nmax_tokens = 64\n")
    result = run_qa("--settings", str(preset), "--answer.max_tokens", "80", "settings", "--json",
                    env={"QA_CONTEXT_SENTENCES": "4"})
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    values = {name: row["value"] for name, row in rows.items()}
    assert (values["retrieval.top_k"], values["retrieval.context_sentences"], values["answer.max_tokens"]) \
        == (3, 4, 80)
    assert rows["index.embedding_model"]["description"] and rows["llm.spec"]["env"] == "QA_LLM"


def test_every_setting_has_its_own_option_in_the_help():
    from qa.settings import Settings

    result = run_qa("--help", env={"COLUMNS": "300"})
    assert all(f"--{group}.{name}" in result.stdout for group, name, _ in Settings.fields())


def test_an_unknown_setting_option_is_a_one_line_error():  # the entry point's own wording of a usage error
    one_line_error(run_qa("--retrieval.no_such_field", "1", "settings"), 2, "No such option")


@pytest.mark.unit
def test_a_bad_setting_value_is_a_one_line_error():
    one_line_error(invoke("--retrieval.top_k", "many", "settings"), 2, "bad setting retrieval.top_k='many'")


@pytest.mark.unit
def test_a_bad_preset_file_is_a_one_line_error(tmp_path):
    preset = write(tmp_path, "bad.toml", "[retrieval]\ntop_k = 3\nfavourite_colour = 'blue'\n")
    one_line_error(invoke("--settings", str(preset), "settings"), 2, "unknown setting 'retrieval.favourite_colour'")
    flat = write(tmp_path, "flat.toml", "top_k = 3\n")
    one_line_error(invoke("--settings", str(flat), "settings"), 2, "'top_k' is not a settings group")
    one_line_error(invoke("--settings", str(tmp_path / "none.toml"), "settings"), 2, "cannot read settings file")
