"""What a route needs from the app it runs in: the QA, the model's gate, the folder watcher and the path display.
``attach`` keeps them on ``app.state``; each route asks for what it uses as a FastAPI dependency, so a route is a
function of its inputs, and a test serves a router over whatever object answers the same calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Request

from ..api import QA
from .gate import Gate
from .paths import Relative

if TYPE_CHECKING:
    from ..ingest.watch import Watcher


def attach(app: FastAPI, qa: QA, gate: Gate, watcher: Watcher | None) -> None:
    """Keep what the routes share on the app: one gate and one path display for all its requests."""
    app.state.qa, app.state.gate, app.state.watcher, app.state.paths = qa, gate, watcher, Relative(qa)


# async: FastAPI runs a plain function on its thread pool, a hop between threads to read an attribute
async def _qa(request: Request) -> QA:
    return request.app.state.qa


async def _gate(request: Request) -> Gate:
    return request.app.state.gate


async def _watcher(request: Request) -> Watcher | None:
    return request.app.state.watcher


async def _paths(request: Request) -> Relative:
    return request.app.state.paths


QAIn = Annotated[QA, Depends(_qa)]
GateIn = Annotated[Gate, Depends(_gate)]
WatcherIn = Annotated["Watcher | None", Depends(_watcher)]
PathsIn = Annotated[Relative, Depends(_paths)]
