"""``/docs`` without a CDN: the server answers offline, so its API page must too."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse


class Docs:
    """``/docs`` without a CDN: Swagger UI served from the fastapi-offline package's own copy of its files (the page
    FastAPI makes loads them from a CDN, blank offline), or, without that package, a page linking the schema."""

    def mount(self, app: FastAPI) -> None:
        from fastapi.openapi.docs import get_swagger_ui_html

        assets = _swagger_assets()
        if assets is None:
            @app.get("/docs", include_in_schema=False)
            async def schema_only():
                return HTMLResponse("<!doctype html><title>qa API</title><h1>qa API</h1><p>The OpenAPI schema is at "
                                    "<a href='/openapi.json'>/openapi.json</a>.</p>")
            return
        from fastapi.staticfiles import StaticFiles

        app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

        @app.get("/docs", include_in_schema=False)
        async def swagger():
            return get_swagger_ui_html(openapi_url="/openapi.json", title="qa API",
                                       swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                       swagger_css_url="/docs-assets/swagger-ui.css",
                                       swagger_favicon_url="/docs-assets/favicon.png")


def _swagger_assets() -> str | None:
    """The folder holding swagger-ui-bundle.js and swagger-ui.css, found without importing the package."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "static"
    return str(folder) if (folder / "swagger-ui-bundle.js").is_file() else None
