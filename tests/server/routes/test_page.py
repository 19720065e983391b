"""``/`` alone: the web page, as installed."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qa.server.routes.page import router

pytestmark = pytest.mark.unit


def test_the_page_is_the_packages_html():
    app = FastAPI()
    app.include_router(router)
    page = TestClient(app).get("/")
    assert page.headers["content-type"].startswith("text/html") and "<title>" in page.text
    assert "/v1/chat/completions" in page.text
