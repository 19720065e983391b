"""Who may call, and how much they may send: the API key (needed on any address but loopback), the body limits,
and one log line per request. All in one ASGI middleware, before any route reads a byte."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from ipaddress import ip_address

from starlette.datastructures import Headers

from .errors import STOPPING, TooLarge, error

MAX_BODY_BYTES = 1 * 1024 * 1024  # JSON requests
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # one ingest request, all files together
OPEN_PATHS = ("/", "/health")  # the web page loads without a key and asks for one itself; a probe needs none
log = logging.getLogger("qa.serve")


class Guard:
    """ASGI middleware: the API key, body limits counted as the bytes arrive (whatever the transfer encoding: a
    chunked body has no Content-Length to trust), and one log line per request, written when its response has
    ended (a stream's time is its whole length, not the time to its headers)."""

    def __init__(self, app, api_key: str | None = None):
        self.app, self.api_key = app, api_key

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), [0]

        async def logged(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self._checked(scope, receive, logged, status)
        finally:
            log.info("%s %s %d %.0f ms", scope["method"], scope["path"], status[0],
                     1000 * (time.perf_counter() - started))  # one line, never a header: the key stays out of logs

    async def _checked(self, scope, receive, send, status: list[int]) -> None:
        """The key, then the declared length, then the app with its body counted as it arrives; ``status`` holds
        the status sent so far (0: none), so that a refusal is never sent after a response has begun."""
        path, over = scope["path"], [False]

        async def refuse(code: int, message: str):
            await error(code, message)(scope, receive, send)

        headers = Headers(scope=scope)
        if self.api_key and path not in OPEN_PATHS and not authorised(headers, self.api_key):
            return await refuse(401, "missing or wrong API key: send 'Authorization: Bearer <QA_API_KEY>'")
        limit = MAX_UPLOAD_BYTES if path == "/v1/ingest" else MAX_BODY_BYTES
        too_big = f"request body larger than {limit // 2**20} MB"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return await refuse(413, too_big)
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over[0] = True
                    raise TooLarge(too_big)
            return message

        async def unless_over(message):
            if not over[0]:  # the app's own answer to a body cut short gives way to the 413
                await send(message)

        try:
            await self.app(scope, counted, unless_over)
        except TooLarge:
            pass
        except asyncio.CancelledError:  # the server stops and cancels what is left: its work was told to stop
            if not status[0]:
                await refuse(503, STOPPING)
        if over[0] and not status[0]:
            await refuse(413, too_big)


def authorised(headers: Headers, api_key: str) -> bool:
    """A bearer token equal to the key, compared in constant time so the key cannot be guessed byte by byte."""
    given = headers.get("authorization", "")
    token = given.removeprefix("Bearer ").strip() if given.startswith("Bearer ") else ""
    return hmac.compare_digest(token.encode(), api_key.encode())


def is_loopback(host: str) -> bool:
    """Whether a bind address is reachable from this machine alone: only then may the server run without a key."""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
