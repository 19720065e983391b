"""A feature whose extra is not installed says so in one line, naming the extra and the command that installs it.

The missing module is simulated (``sys.modules[name] = None`` makes its import fail as if it were not installed):
nothing is uninstalled."""

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from qa import extras
from qa.errors import InputError, ModelError

pytestmark = pytest.mark.unit


def missing(monkeypatch, *modules: str) -> None:
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


def one_line(message: str, *fragments: str) -> None:
    assert "\n" not in message
    assert all(fragment in message for fragment in fragments), message


def test_an_installed_module_is_returned():
    assert extras.require("json", "none", "anything") is sys.modules["json"]


def test_a_missing_module_names_its_extra_and_the_command(monkeypatch):
    missing(monkeypatch, "ray")
    with pytest.raises(InputError) as caught:
        extras.require("ray", "scale", "qa ingest --ray")
    one_line(str(caught.value), "qa ingest --ray needs ray", "'scale' extra", extras.install_command("scale"))


def test_a_broken_install_shows_its_own_error(tmp_path, monkeypatch):
    """Only the module's own absence is an extra to install; a dependency missing inside it is a real error."""
    (tmp_path / "qa_broken_extra").mkdir()
    (tmp_path / "qa_broken_extra" / "__init__.py").write_text("import qa_absent_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="qa_absent_dependency"):
        extras.require("qa_broken_extra", "scale", "a feature")


def test_the_command_is_the_checkouts_setup_for_this_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "prefix", str(ROOT / ".venv"))
    assert extras.install_command("scale") == "scripts/setup scale"
    monkeypatch.chdir(tmp_path)  # elsewhere, and another environment: the script's full path, and that environment
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert extras.install_command("scale") == f"QA_VENV={tmp_path / 'venv'} {ROOT / 'scripts' / 'setup'} scale"


def test_qa_ingest_ray(monkeypatch):
    from qa.ingest.chunking import Chunking
    from qa.ingest.distributed import read_split_embed

    missing(monkeypatch, "ray")
    with pytest.raises(InputError) as caught:
        read_split_embed([], {}, {}, None, Chunking(256, 32), "")
    one_line(str(caught.value), "qa ingest --ray", "'scale'")


def test_milvus_store(tmp_path, monkeypatch):
    from qa.store.milvus import MilvusStore

    missing(monkeypatch, "pymilvus")
    with pytest.raises(InputError) as caught:
        MilvusStore(str(tmp_path / "store.db"))
    one_line(str(caught.value), "Milvus store (QA_STORE) needs pymilvus", "'scale'")


def test_milvus_lite_store(tmp_path, monkeypatch):
    """A server needs only pymilvus; a local path needs Milvus Lite as well."""
    pytest.importorskip("pymilvus")
    from qa.store.milvus import MilvusStore

    missing(monkeypatch, "milvus_lite")
    with pytest.raises(InputError) as caught:
        MilvusStore(str(tmp_path / "store.db"))
    one_line(str(caught.value), "Milvus Lite store", "needs milvus_lite", "'scale'")


def test_qa_report_and_eval_html(tmp_path, monkeypatch):
    """Checked before anything runs: eval fails at once, not after its questions."""
    from qa.cli import app

    missing(monkeypatch, "matplotlib")
    report = tmp_path / "r.json"
    report.write_text('{"summary": {}, "results": []}')
    for args in (["report", str(report)], ["eval", "--html", str(tmp_path / "r.html"), "--config", "nowhere.toml"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, result.stderr
        one_line(lines[0], "eval report page", "needs matplotlib", "'report' extra", "setup report")
