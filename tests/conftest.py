"""Shared fixtures. Every test runs with its own qa home, so nothing touches the user's ~/.qa; the joined
model file is shared across the session because joining it again in each test would only cost time."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EVAL_SET = ROOT / "eval" / "news.jsonl"
QA_BIN = str(Path(sys.executable).parent / "qa")


def pytest_collection_modifyitems(items):
    """A test that is neither ``unit`` nor ``slow`` is ``integration``: it loads the embedder, ingests, or runs qa."""
    for item in items:
        if not any(item.get_closest_marker(m) for m in ("unit", "slow")):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def session_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("qa-home")
    real_models = Path(os.environ.get("QA_HOME", Path.home() / ".qa")) / "models"
    if real_models.is_dir():  # reuse the model the set-up already joined and verified
        (home / "models").symlink_to(real_models)
    return home


@pytest.fixture(autouse=True)
def isolated_home(session_home, tmp_path, monkeypatch) -> Path:
    """QA_HOME per test (models shared through a link); QA_INDEX, QA_LLM and QA_STORE cleared."""
    home = tmp_path / "home"
    home.mkdir()
    if (session_home / "models").exists():
        (home / "models").symlink_to(session_home / "models")
    monkeypatch.setenv("QA_HOME", str(home))
    for name in ("QA_INDEX", "QA_LLM", "QA_STORE", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def corpus_index(session_home) -> Path:
    """The bundled corpus, ingested once per session with the real embedding model."""
    from qa import QA

    index = session_home / "corpus-index"
    QA(index=index).ingest([CORPUS])
    return index


@pytest.fixture(scope="module")
def index_copy(corpus_index, tmp_path_factory) -> Path:
    """A copy of the corpus index for one test module to change (uploads, ingests) without touching the others'."""
    copy = tmp_path_factory.mktemp("index-copy") / "index"
    shutil.copytree(corpus_index, copy)
    return copy


@pytest.fixture(scope="session")
def eval_questions() -> list[dict]:
    return [json.loads(line) for line in EVAL_SET.read_text().splitlines() if line.strip()]


def run_qa(*args: str, env: dict | None = None, input: str | None = None, timeout: float = 600):
    """Run the installed ``qa`` command as a user would, in a subprocess."""
    return subprocess.run([QA_BIN, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          input=input, timeout=timeout)


def free_port() -> int:
    """A loopback port nothing listens on, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def article(title: str, body: str, date: str = "2025-01-01", source: str = "Test Desk") -> str:
    return f"---\ntitle: \"{title}\"\ndate: {date}\nsource: {source}\n---\n\n{body}\n"


def copy_corpus(target: Path, names: list[str] | None = None) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(CORPUS.glob("*.md")):
        if names is None or path.name in names:
            shutil.copy(path, target / path.name)
    return target
