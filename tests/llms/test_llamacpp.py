"""The local backend's prompt-opening cache: written by one process, reused by the next, rebuilt when damaged."""

import json

import numpy as np
import pytest

from conftest import run_qa

pytestmark = pytest.mark.slow

QUESTION = "What was Alibaba's net income in the quarter ended December 2024?"


def ask(corpus_index) -> dict:
    done = run_qa("ask", QUESTION, "--index", str(corpus_index), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_cached_opening_gives_the_same_answer_in_a_new_process(corpus_index, isolated_home):
    first = ask(corpus_index)
    files = list((isolated_home / "cache").glob("*.kv.npz"))
    assert len(files) == 1
    with np.load(files[0]) as saved:
        assert len(saved["input_ids"]) >= 64 and saved["state"].size > 0

    second = ask(corpus_index)  # starts from the saved opening
    assert second["answer"] == first["answer"] and "48.9" in second["answer"]
    chosen = [run["confidence"]["choice_probability"] for run in (first, second)]
    assert chosen[1] == pytest.approx(chosen[0], abs=1e-4)  # the restored opening is the one that was read

    files[0].write_bytes(b"not a state file")
    third = ask(corpus_index)  # a damaged file is dropped, the opening read again and saved anew
    assert third["answer"] == first["answer"]
    with np.load(files[0]) as saved:
        assert saved["state"].size > 0
