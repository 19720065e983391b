"""``/docs`` alone: Swagger UI from local files, or a page linking the schema, never a CDN."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qa.server import docs
from qa.server.docs import Docs

pytestmark = pytest.mark.unit


def test_the_api_page_loads_nothing_from_another_host():
    if docs._swagger_assets() is None:
        pytest.skip("fastapi-offline is not installed")
    app = FastAPI(docs_url=None, redoc_url=None)
    Docs().mount(app)
    client = TestClient(app)
    page = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "https://" not in page and "cdn" not in page.lower()
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200


def test_without_the_assets_the_page_links_the_schema(monkeypatch):
    monkeypatch.setattr(docs, "_swagger_assets", lambda: None)
    app = FastAPI(docs_url=None, redoc_url=None)
    Docs().mount(app)
    assert "<a href='/openapi.json'>" in TestClient(app).get("/docs").text
