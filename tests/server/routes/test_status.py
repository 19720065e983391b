"""``/health`` and ``/v1/models`` alone, over a scripted QA."""

import pytest
from scripted import ScriptedQA, serve

from qa.server.routes.status import router

pytestmark = pytest.mark.unit


def test_health_tells_the_model_the_index_and_whether_a_folder_is_watched(tmp_path):
    qa = ScriptedQA(tmp_path)
    assert serve(router, qa).get("/health").json() == {"status": "ok", "model": "fake", "articles": 2,
                                                        "passages": 5, "watching": False}
    assert serve(router, qa, watcher=object()).get("/health").json()["watching"] is True


def test_the_one_model_is_qa(tmp_path):
    assert serve(router, ScriptedQA(tmp_path)).get("/v1/models").json() == {
        "object": "list", "data": [{"id": "qa", "object": "model", "created": 0, "owned_by": "qa"}]}
