"""The openai backend end to end against a real OpenAI-compatible server (llama-cpp-python's) on 127.0.0.1."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qa import QA
from qa.answering.records import Answer
from qa.errors import ModelError
from qa.llms.gguf import resolve_model
from conftest import CORPUS, free_port, run_qa

pytestmark = pytest.mark.slow
SECRET = "sk-test-7f3c9a1e-never-print-me"


def serve(model: Path, *options: str):
    """A llama.cpp OpenAI-compatible server on a free loopback port, started for real; yields its /v1 URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--model_alias", "qwen", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/models", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("llama_cpp.server exited during start-up")
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start in 120 s")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(session_home):
    """The default model behind llama.cpp's server, which gives first-token log-probabilities."""
    yield from serve(resolve_model(None, session_home / "models"))


@pytest.fixture(scope="module")
def plain_server(session_home):
    """A server that rejects requests for log-probabilities (no logits_all), as some servers do."""
    yield from serve(resolve_model("qwen2.5-0.5b", session_home / "models"), "--logits_all", "False")


@pytest.fixture
def openai_env(server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", server)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    return {"OPENAI_BASE_URL": server, "OPENAI_API_KEY": SECRET}


def test_answer_through_the_server(corpus_index, openai_env):
    qa = QA(index=corpus_index, llm="openai:qwen")
    answer = qa.ask("What was Alibaba's net income in the quarter ended December 2024?")
    assert answer.model == "openai:qwen" and answer.route == "copy"
    assert not answer.refused and ("48.9 billion yuan" in answer.answer or "$6.71 billion" in answer.answer)
    assert answer.citations[0].path.endswith("2025-02-20-alibaba-december-quarter-2024.md")
    # the first decision was read from the server's first-token log-probabilities, not from the reply's text
    assert qa.llm.first_top and 0 < answer.confidence["none_probability"] < 0.5


def test_a_computed_answer_through_the_server(corpus_index, openai_env):
    """Without a grammar the model is asked for the same one line ("share: F5, F1"), and qa computes it."""
    qa = QA(index=corpus_index, llm="openai:qwen")
    answer = qa.ask("What proportion of Nvidia's revenue in the quarter ended January 26, 2025 came from its data "
                    "centre business?")
    assert answer.route == "compute" and answer.answer.startswith("Share: 90.59%"), answer


def test_an_unanswerable_question_is_refused_through_the_server(corpus_index, openai_env):
    answer = QA(index=corpus_index, llm="openai:qwen").ask("How many employees does Alibaba have?")
    assert answer.refused and answer.citations == []


def test_a_server_without_log_probabilities_is_asked_again_without_them(corpus_index, plain_server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", plain_server)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    qa = QA(index=corpus_index, llm="openai:qwen")
    answer = qa.ask("Who is Alibaba's chief executive?")
    assert not answer.refused and "Eddie Wu" in answer.answer
    assert qa.llm.first_top is None and answer.confidence["none_probability"] == 0.0  # read from the reply's text


def test_streamed_answer_through_the_server(corpus_index, openai_env):
    """Over a server the reply is read whole before the first decision is known, so its text comes as one piece."""
    items = list(QA(index=corpus_index, llm="openai:qwen").stream("Who is Alibaba's chief executive?"))
    assert len(items) >= 2 and all(isinstance(i, str) for i in items[:-1])
    assert isinstance(items[-1], Answer) and "Eddie Wu" in items[-1].answer


def test_cli_json_never_shows_the_key(corpus_index, openai_env):
    result = run_qa("ask", "Who is JD.com's chief executive?", "--json", "--llm", "openai:qwen",
                    "--index", str(corpus_index), env=openai_env)
    assert result.returncode == 0, result.stderr
    assert "Sandy Xu" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_server_down_is_a_one_line_error(corpus_index, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with pytest.raises(ModelError, match="cannot reach") as error:
        QA(index=corpus_index, llm="openai:qwen").ask("Who is Alibaba's chief executive?")
    assert SECRET not in str(error.value)
    result = run_qa("ask", "Who is Alibaba's chief executive?", "--llm", "openai:qwen", "--index",
                    str(corpus_index), env={"OPENAI_BASE_URL": os.environ["OPENAI_BASE_URL"], "OPENAI_API_KEY": SECRET})
    assert result.returncode == 4 and "Traceback" not in result.stderr
    assert "cannot reach the OpenAI-compatible server" in result.stderr and SECRET not in result.stderr


def test_key_is_in_no_output_report_index_or_file(openai_env, isolated_home, tmp_path):
    """Ingest, ask, chat and a full eval with the key set; then search every output and every file for it."""
    questions = tmp_path / "set.jsonl"
    questions.write_text(
        '{"id": "a", "question": "Who is JD.com\'s chief executive?", "answers": ["Sandy Xu"], "kind": "text", '
        '"sources": ["corpus/2025-03-06-jd-december-quarter-2024.md"]}\n'
        '{"id": "u", "question": "How many employees does Alibaba have?", "answers": [], "kind": "unanswerable", '
        '"sources": []}\n')
    config = tmp_path / "config.toml"
    config.write_text(f'corpus = "{CORPUS}"\n[thresholds]\n')
    index, report = tmp_path / "index", tmp_path / "report.json"
    llm = ("--llm", "openai:qwen")
    runs = [
        run_qa("ingest", str(CORPUS), "--index", str(index), env=openai_env),
        run_qa("ask", "Who is Alibaba's chief executive?", *llm, "--index", str(index), env=openai_env),
        run_qa("ask", "Who is Alibaba's chief executive?", *llm, "--index", str(index), "--json", env=openai_env),
        run_qa("chat", *llm, "--index", str(index), input="Who runs JD.com?\n/sources\n/model\n", env=openai_env),
        run_qa("eval", str(questions), *llm, "--config", str(config), "--index", str(tmp_path / "eval-index"),
               "--json-out", str(report), env=openai_env),
    ]
    for result in runs:
        assert result.returncode == 0, result.stderr
        assert SECRET not in result.stdout + result.stderr
    assert "Sandy Xu" in report.read_text()
    written = [p for folder in (tmp_path, isolated_home) for p in folder.rglob("*")
               if p.is_file() and "models" not in p.relative_to(folder).parts]
    assert len(written) > 10  # the indexes, the report, the chat history
    assert not [p for p in written if SECRET.encode() in p.read_bytes()]
