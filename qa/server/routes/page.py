"""``/``: the web page, one file that asks the API as any client does."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()


# Read at each request, so the page is the package's copy as installed.
@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page():
    return HTMLResponse(files("qa").joinpath("web/index.html").read_text(encoding="utf-8"))
