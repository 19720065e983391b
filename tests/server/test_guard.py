"""The guard alone, around a tiny app that reports what reached it: the key, the body limits, the request log."""

import asyncio
import json
import logging

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from qa.server import guard
from qa.server.guard import Guard, is_loopback

pytestmark = pytest.mark.unit
KEY_MESSAGE = "missing or wrong API key: send 'Authorization: Bearer <QA_API_KEY>'"
MB = 2**20


def guarded(api_key=None):
    """A client of a tiny app behind the guard; ``reached`` lists the paths whose route ran."""
    reached = []

    async def echo(request: Request):
        reached.append(request.url.path)
        return JSONResponse({"bytes": len(await request.body())})

    paths = ["/", "/health", "/v1/models", "/v1/search", "/v1/ingest"]
    app = Starlette(routes=[Route(path, echo, methods=["GET", "POST"]) for path in paths])
    app.add_middleware(Guard, api_key=api_key)
    return TestClient(app), reached


def test_without_a_key_every_path_is_open():
    client, _ = guarded()
    assert client.get("/v1/models").status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"},
                                     {"Authorization": "Basic s3cret"}, {"Authorization": "Bearer "}])
def test_a_protected_path_without_the_right_key_is_401_and_never_reached(headers):
    client, reached = guarded("s3cret")
    response = client.post("/v1/search", json={"query": "q"}, headers=headers)
    assert response.status_code == 401 and response.json() == {"error": {"message": KEY_MESSAGE}}
    assert reached == []


def test_the_right_key_passes():
    client, _ = guarded("s3cret")
    assert client.get("/v1/models", headers={"Authorization": "Bearer s3cret"}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/health"])
def test_the_page_and_health_need_no_key(path):
    client, _ = guarded("s3cret")
    assert client.get(path).status_code == 200


def test_a_declared_body_over_1_mb_is_413_before_the_app_runs():
    client, reached = guarded()
    response = client.post("/v1/search", content=b"x" * (MB + 1), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"error": {"message": "request body larger than 1 MB"}} and reached == []


def test_a_body_without_a_length_is_counted_as_it_arrives():
    """Chunked, so no Content-Length to trust: the guard stops the app's reading at the limit and answers 413."""
    client, reached = guarded()
    pieces = [{"type": "http.request", "body": b"y" * 65536, "more_body": True} for _ in range(20)]
    sent = []

    async def receive():
        return pieces.pop(0) if pieces else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/search", "headers": [], "query_string": b"",
             "root_path": "", "scheme": "http", "server": ("test", 80), "client": ("test", 1)}
    asyncio.run(client.app(scope, receive, send))
    assert reached == ["/v1/search"] and len(pieces) == 20 - 17  # read up to the 17th piece: 1 MB and more
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert json.loads(body) == {"error": {"message": "request body larger than 1 MB"}}


def test_uploads_have_a_cap_of_their_own(monkeypatch):
    monkeypatch.setattr(guard, "MAX_UPLOAD_BYTES", 2 * MB)
    client, _ = guarded()
    assert client.post("/v1/ingest", content=b"z" * (MB + MB // 2)).json() == {"bytes": MB + MB // 2}
    refused = client.post("/v1/ingest", content=b"z" * (2 * MB + 1))
    assert refused.status_code == 413 and refused.json()["error"]["message"] == "request body larger than 2 MB"


def test_each_request_is_one_log_line_without_the_key(caplog):
    caplog.set_level(logging.INFO, logger="qa.serve")
    client, _ = guarded("s3cret")
    client.get("/v1/models", headers={"Authorization": "Bearer s3cret"})
    client.get("/v1/models")
    lines = [r.getMessage() for r in caplog.records if r.name == "qa.serve"]
    assert [line.rsplit(" ", 2)[0] for line in lines] == ["GET /v1/models 200", "GET /v1/models 401"]
    assert all(line.endswith(" ms") and "s3cret" not in line for line in lines)


@pytest.mark.parametrize("host, loopback", [("localhost", True), ("127.0.0.1", True), ("127.0.0.2", True),
                                            ("::1", True), ("0.0.0.0", False), ("192.168.1.20", False),
                                            ("::", False), ("example.com", False)])
def test_only_a_loopback_address_may_serve_without_a_key(host, loopback):
    assert is_loopback(host) is loopback
