"""The gate alone: how many requests it admits, what it refuses, and how work at the model is cancelled."""

import asyncio
import threading
import time

import pytest
from standins import Request

from qa.server.errors import Busy, Cancelled, Stopping
from qa.server.gate import Gate, in_thread, with_model

pytestmark = pytest.mark.unit


def test_it_admits_one_running_and_queue_waiting_and_refuses_beyond():
    gate = Gate(queue=2)
    assert [gate.try_wait() for _ in range(4)] == [True, True, True, False]
    assert gate.run(lambda: "done", threading.Event()) == "done"  # a place is given back when work returns
    assert gate.try_wait() and not gate.try_wait()


def test_a_queue_of_nothing_admits_one():
    gate = Gate(queue=0)
    assert gate.try_wait() and not gate.try_wait()


def test_work_that_raises_gives_the_model_and_its_place_back():
    gate = Gate(queue=0)
    assert gate.try_wait()
    with pytest.raises(ZeroDivisionError):
        gate.run(lambda: 1 / 0, threading.Event())
    assert gate.admitted == 0 and not gate.lock.locked() and gate.try_wait()


def test_work_cancelled_before_its_turn_never_runs():
    gate, ran = Gate(queue=1), []
    cancelled = threading.Event()
    cancelled.set()
    assert gate.try_wait()
    with pytest.raises(Cancelled):
        gate.run(lambda: ran.append(1), cancelled)
    assert not ran and gate.admitted == 0


def test_cancel_all_stops_waiting_work_and_tells_running_work():
    gate, started, seen = Gate(queue=2), threading.Event(), {}

    def running(cancelled):
        started.set()
        seen["told"] = cancelled.wait(5)
        return "stopped"

    first, second = threading.Event(), threading.Event()
    outcomes = []

    def take(event, work):
        try:
            outcomes.append(gate.run(work, event))
        except Cancelled:
            outcomes.append("cancelled")

    assert gate.try_wait() and gate.try_wait()
    threads = [threading.Thread(target=take, args=(first, lambda: running(first)))]
    threads[0].start()
    started.wait(5)
    threads.append(threading.Thread(target=take, args=(second, lambda: "never")))
    threads[1].start()
    time.sleep(0.2)  # the second waits for the model
    gate.cancel_all()
    for thread in threads:
        thread.join(5)
    assert seen["told"] and sorted(outcomes) == ["cancelled", "stopped"]
    assert gate.idle(1) and gate.admitted == 0
    assert gate.try_wait()
    with pytest.raises(Cancelled):  # nothing runs once the server stops
        gate.run(lambda: "late", threading.Event())


def test_the_watchers_work_is_admitted_even_when_the_queue_is_full():
    gate = Gate(queue=0)
    assert gate.try_wait()
    gate.admit()
    assert gate.admitted == 2 and not gate.try_wait()


def test_in_thread_hands_back_the_result_or_the_exception():
    async def both():
        name = await in_thread(lambda: threading.current_thread().name)
        with pytest.raises(KeyError):
            await in_thread(lambda: {}["missing"])
        return name

    assert asyncio.run(both()) == "qa-model"


def test_with_model_runs_the_work_with_its_cancel_event():
    gate = Gate(queue=1)
    result = asyncio.run(with_model(gate, Request(), lambda cancelled: ("ran", cancelled.is_set())))
    assert result == ("ran", False) and gate.admitted == 0


def test_with_model_refuses_when_the_queue_is_full():
    gate = Gate(queue=0)
    assert gate.try_wait()
    with pytest.raises(Busy):
        asyncio.run(with_model(gate, Request(), lambda cancelled: "never"))


def test_with_model_cancels_the_work_of_a_client_that_went_away():
    def work(cancelled):
        return "told to stop" if cancelled.wait(5) else "ran on"

    assert asyncio.run(with_model(Gate(queue=1), Request(gone=True), work)) == "told to stop"


def test_with_model_answers_at_once_when_the_server_stops():
    gate, release = Gate(queue=1), threading.Event()

    async def stopped_meanwhile():
        asyncio.get_running_loop().call_later(0.1, gate.cancel_all)
        await with_model(gate, Request(), lambda cancelled: release.wait(5))

    with pytest.raises(Stopping):
        asyncio.run(stopped_meanwhile())
    release.set()
    assert gate.idle(5)
