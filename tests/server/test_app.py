"""The app factory alone: that it wires the parts (routes in their schema order, the guard, the error mapping, the
state) and that stopping cancels the model's work and the watch. No route is asked for an answer here."""

import threading

import pytest
from fastapi.testclient import TestClient

from qa.server import create_app
from qa.server.gate import Gate

pytestmark = pytest.mark.unit
PATHS = ["/health", "/v1/models", "/v1/search", "/v1/ask", "/v1/chat/completions", "/v1/ingest"]


class Watcher:
    """Syncs until stopped, as the real watcher does."""

    def __init__(self, folders):
        self.folders, self.stopped, self.synced = folders, threading.Event(), threading.Event()

    def sync(self, ingest, report):
        self.synced.set()
        self.stopped.wait(5)

    def stop(self):
        self.stopped.set()


def test_the_schema_names_the_routes_in_order_with_their_operations():
    schema = create_app(object()).openapi()
    assert list(schema["paths"]) == PATHS
    assert schema["paths"]["/v1/chat/completions"]["post"]["operationId"] == "chat_v1_chat_completions_post"
    assert "description" not in schema["paths"]["/v1/ask"]["post"]  # a route's comment is not published
    assert {"ChatRequest", "AskRequest", "SearchRequest", "Body_ingest_v1_ingest_post"} <= \
        set(schema["components"]["schemas"])


def test_the_app_keeps_its_gate_guard_and_error_shape():
    app = create_app(object(), api_key="s3cret", queue=3)
    assert isinstance(app.state.gate, Gate) and app.state.gate.queue == 3
    client = TestClient(app)
    assert client.get("/v1/models").status_code == 401
    missing = client.get("/nowhere", headers={"Authorization": "Bearer s3cret"})
    assert missing.status_code == 404 and missing.json() == {"error": {"message": "Not Found"}}


def test_stopping_cancels_the_models_work_and_the_watch(tmp_path):
    watcher = Watcher([tmp_path])
    app = create_app(object(), watcher=watcher)
    with TestClient(app):
        assert watcher.synced.wait(5) and not app.state.gate.stopping.is_set()
    assert watcher.stopped.is_set() and app.state.gate.stopping.is_set()
