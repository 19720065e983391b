"""``/v1/ingest`` alone, over a scripted QA: uploads land in the index's folder, and what is not indexed is not
kept."""

import pytest
from scripted import ScriptedQA, serve

from qa.server.routes.ingest import router

pytestmark = pytest.mark.unit


def uploaded(tmp_path):
    folder = tmp_path / "index" / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_uploads_are_written_ingested_and_shown_from_the_index(tmp_path):
    qa = ScriptedQA(tmp_path)
    files = [("files", ("../../a.md", b"alpha")), ("files", ("bad.md", b"beta"))]
    report = serve(router, qa).post("/v1/ingest", files=files).json()
    assert report["added"] == ["uploads/a.md"]
    assert report["skipped"] == [["uploads/bad.md", "cannot read uploads/bad.md: not text"]]
    assert qa.calls == [("ingest", ["a.md", "bad.md"])] and uploaded(tmp_path) == ["a.md"]


def test_nothing_ingested_is_400_and_leaves_nothing(tmp_path):
    response = serve(router, ScriptedQA(tmp_path)).post("/v1/ingest", files=[("files", ("bad.md", b"b"))])
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "nothing ingested: bad.md: cannot read uploads/bad.md: not text"
    assert uploaded(tmp_path) == []


def test_one_bad_name_refuses_them_all_before_one_is_written(tmp_path):
    qa = ScriptedQA(tmp_path)
    files = [("files", ("a.md", b"alpha")), ("files", ("tool.exe", b"MZ"))]
    response = serve(router, qa).post("/v1/ingest", files=files)
    assert response.status_code == 400 and "'tool.exe'" in response.json()["error"]["message"]
    assert qa.calls == [] and uploaded(tmp_path) == []


def test_a_failed_ingest_removes_what_it_wrote(tmp_path):
    client = serve(router, ScriptedQA(tmp_path, fail_ingest=True))
    with pytest.raises(OSError, match="disk full"):
        client.post("/v1/ingest", files=[("files", ("a.md", b"alpha"))])
    assert uploaded(tmp_path) == []


def test_an_ingest_waits_for_a_place_in_the_queue(tmp_path):
    client = serve(router, ScriptedQA(tmp_path), queue=0)
    assert client.app.state.gate.try_wait()
    busy = client.post("/v1/ingest", files=[("files", ("a.md", b"alpha"))])
    assert busy.status_code == 503 and uploaded(tmp_path) == []
