"""Turns at the one model. Requests that need it take turns: one runs, up to ``queue`` wait, and more are refused
(``Busy``, a 503 with Retry-After). The work runs on a thread of its own that takes and frees the model itself, so
the model is never freed under a generating thread, whatever becomes of the request that asked for it."""

from __future__ import annotations

import asyncio
import threading

from fastapi import Request

from .errors import Busy, Cancelled, Stopping


class Gate:
    """Turns at the one model. ``try_wait`` admits a request (or refuses when one already runs and ``queue`` wait,
    counting work whose thread has not taken the model yet and cancelled work still running); ``run`` then runs the
    work on the calling worker thread, which itself takes the model lock and releases it when the work has
    returned. So exactly one piece of work owns the model at any moment, whatever happens to the request that asked
    for it: a client that goes away only sets its ``cancelled`` event, which the work checks at every token and the
    wait checks every 0.1 s. No path leaves the lock taken or the queue place counted."""

    def __init__(self, queue: int):
        self.queue, self.admitted = queue, 0  # admitted: work that waits or runs (a cancelled run still counts)
        self.lock, self.count = threading.Lock(), threading.Lock()
        self.active: set[threading.Event] = set()  # the cancel events of work that waits or runs
        self.stopping = threading.Event()  # the server is shutting down

    def try_wait(self) -> bool:
        """Take a place in the queue, or False when there is none: the request is refused rather than left to
        wait without end."""
        with self.count:
            if self.admitted >= self.queue + 1:
                return False
            self.admitted += 1
            return True

    def run(self, work, cancelled: threading.Event):
        """On a worker thread, after ``try_wait``: wait for the model unless cancelled (then raise Cancelled), run
        ``work()``, and release the model when it returns or raises."""
        with self.count:
            self.active.add(cancelled)
        try:
            while not self.lock.acquire(timeout=0.1):
                if cancelled.is_set() or self.stopping.is_set():
                    raise Cancelled
            try:
                if cancelled.is_set() or self.stopping.is_set():
                    raise Cancelled
                return work()
            finally:
                self.lock.release()
        finally:
            with self.count:
                self.active.discard(cancelled)
                self.admitted -= 1

    def admit(self) -> None:
        """Admit work that waits for its turn however long the queue: the folder watcher's ingests, which must
        not be dropped. It counts in the queue as any other work does."""
        with self.count:
            self.admitted += 1

    def start(self, work, cancelled: threading.Event) -> asyncio.Future:
        """After ``try_wait``: ``run`` on a thread of its own; a future of its result."""
        try:
            return in_thread(lambda: self.run(work, cancelled))
        except BaseException:  # no thread: give the queue place back
            with self.count:
                self.admitted -= 1
            raise

    def cancel_all(self) -> None:
        """Cancel every waiting and running piece of work (server shutdown)."""
        self.stopping.set()
        with self.count:
            for event in self.active:
                event.set()

    def idle(self, timeout: float) -> bool:
        """Wait until no work holds the model (at most ``timeout`` s); True when none does."""
        if not self.lock.acquire(timeout=timeout):
            return False
        self.lock.release()
        return True


def in_thread(function) -> asyncio.Future:
    """Run ``function`` on a thread of its own and return a future of its result. A dedicated thread, not the
    event loop's small default pool: work that waits for the model must never starve other requests' threads.
    Cancelling the future does not stop the thread; the work's cancel event does."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(method, value) -> None:
        if not future.done():
            method(value)

    def target() -> None:
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting request
            outcome = (future.set_exception, exc)
        else:
            outcome = (future.set_result, result)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop has closed: the server is stopping and nobody awaits this
            pass

    # a request that went away never reads its future: mark the outcome read, so asyncio does not log it
    future.add_done_callback(lambda f: f.cancelled() or f.exception())
    threading.Thread(target=target, name="qa-model", daemon=True).start()
    return future


async def with_model(gate: Gate, request: Request, work):
    """Run ``work(cancelled)`` when the model is free, on a worker thread that takes and releases the model
    itself; a client that goes away meanwhile sets ``cancelled``. A full queue is ``Busy``; a server that stops
    meanwhile answers ``Stopping`` at once, and its worker stops by itself."""
    if not gate.try_wait():
        raise Busy
    cancelled = threading.Event()
    future = gate.start(lambda: work(cancelled), cancelled)
    try:
        while not (await asyncio.wait({future}, timeout=0.25))[0]:
            if gate.stopping.is_set():
                raise Stopping  # answer now; the worker stops by itself and shutdown waits for it
            if await request.is_disconnected():
                cancelled.set()
        return future.result()
    finally:
        cancelled.set()  # also when this request itself is cancelled: the worker stops at its next token
