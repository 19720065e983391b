"""The copying constraint of the local backend, on a made-up vocabulary: which tokens it lets greedy decoding
take at each step. No model is loaded."""

import numpy as np
import pytest

from qa.llms.llamacpp import SEPARATOR, CopyConstraint

pytestmark = pytest.mark.unit

VOCABULARY = [None, " 48", ".9", " billion", " yuan", " net", " income", " 49", " Net", " jumped", " to", ".", "X",
              " dollars", "\x00"]
END = 0


def allowed(constraint: CopyConstraint, copied: list[int], prompt: int = 3) -> set[str]:
    scores = np.zeros(len(VOCABULARY), dtype=np.float32)
    out = constraint([7, 7, 7][:prompt] + copied, scores)
    return {"<end>" if t == END else VOCABULARY[t] for t in np.flatnonzero(np.isfinite(out))}


def test_only_tokens_that_continue_a_span_of_the_source_are_allowed():
    source = "Net income jumped to 48.9 billion yuan."
    constraint = CopyConstraint(source, VOCABULARY, (END,), start=3)
    assert allowed(constraint, []) == {" Net", " income", " jumped", " to", " 48", " billion", " yuan"}  # no end yet
    assert allowed(constraint, [1]) == {".9", "."}  # not inside a figure
    assert allowed(constraint, [1, 2]) == {" billion", "<end>"}
    assert allowed(constraint, [1, 2, 3]) == {" yuan", "<end>"}
    assert allowed(constraint, [1, 2, 3, 4]) == {".", "<end>"}


def test_a_figure_the_source_does_not_state_cannot_be_written():
    constraint = CopyConstraint("Net income jumped to 48.9 billion yuan.", VOCABULARY, (END,), start=3)
    assert " 49" not in allowed(constraint, []) and " dollars" not in allowed(constraint, [1, 2, 3])


def test_no_span_crosses_from_one_source_into_the_next():
    constraint = CopyConstraint(f"Net income jumped {SEPARATOR} to 48.9 billion yuan", VOCABULARY, (END,), start=3)
    assert allowed(constraint, [8, 6, 9]) == {"<end>"}


def test_a_copy_cannot_stop_inside_a_word():
    vocabulary = [None, " B", "ills", " Bills"]
    constraint = CopyConstraint("Bills may be presented", vocabulary, (0,), start=0)
    scores = np.zeros(len(vocabulary), dtype=np.float32)
    assert np.isinf(constraint([1], scores)[0]) and np.isfinite(constraint([1, 2], scores)[0])


def test_a_figure_may_be_copied_without_its_currency_sign_but_not_from_its_middle():
    vocabulary = [None, "4", "8", ".", "$", " billion"]
    constraint = CopyConstraint("revenue of $48.4 billion", vocabulary, (0,), start=0)
    scores = np.zeros(len(vocabulary), dtype=np.float32)
    opening = {vocabulary[t] for t in np.flatnonzero(np.isfinite(constraint([], scores)))}
    assert opening == {"4", "$", " billion"}
    assert constraint.starts.count(constraint.text.index("48")) == 1
    assert constraint.text.rindex("4") not in constraint.starts
