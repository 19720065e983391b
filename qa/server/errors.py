"""How a request fails: the server's own exceptions, and the one JSON shape every failure takes,
``{"error": {"message": "..."}}`` with its status. The gate, the guard and the routes raise; ``add_handlers`` is the
one place that says which status and message each exception becomes, so no route builds an error response itself.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import QAError

STOPPING = "the server is stopping"


class Busy(Exception):
    """The model's queue is full."""


class Stopping(Exception):
    """The server is shutting down."""


class TooLarge(Exception):
    """A request body or an upload over its cap."""


class Cancelled(Exception):
    """The request went away before or while its work ran."""


def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    """The error body every failure has, so a client reads ``error.message`` whatever went wrong."""
    return JSONResponse({"error": {"message": message}}, status_code=status, headers=headers)


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one line: where, and what was wrong."""
    parts = []
    for item in exc.errors()[:3]:
        where = ".".join(str(x) for x in item.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


async def _user_error(request: Request, exc: QAError) -> JSONResponse:
    return error(400, str(exc))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    return error(422, validation_message(exc))


async def _busy(request: Request, exc: Busy) -> JSONResponse:
    return error(503, "the model is busy with other requests; try again shortly", {"Retry-After": "5"})


async def _too_large(request: Request, exc: TooLarge) -> JSONResponse:
    return error(413, str(exc))


async def _stopping(request: Request, exc: Stopping) -> JSONResponse:
    return error(503, STOPPING)


async def _cancelled(request: Request, exc: Cancelled) -> JSONResponse:
    return error(499, "the client went away")


HANDLERS = {QAError: _user_error, StarletteHTTPException: _http_error, RequestValidationError: _invalid,
            Busy: _busy, TooLarge: _too_large, Stopping: _stopping, Cancelled: _cancelled}


def add_handlers(app: FastAPI) -> None:
    """Map every exception a request can end in to its status and message (``HANDLERS``): FastAPI's own errors
    too, so that a 404 or a 422 has the same shape as qa's."""
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
