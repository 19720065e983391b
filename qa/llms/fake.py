"""``fake``: a scripted model for tests of the logic around the model, never for accuracy.

``fake:FILE`` replays FILE's lines, one reply per call, in turn; ``fake`` alone replies with nothing, which
qa reads as a refusal. A leading ``@0.3 `` on a line sets the probability ``choose`` gives to "none".
In Python, ``FakeLLM(replies=[...], none_probability=0.01)`` does the same without a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..settings import Settings
from .base import LLM, Choice


class FakeLLM(LLM):
    def __init__(self, spec: str | None = None, settings: Settings | None = None, *, replies: list[str] | None = None,
                 none_probability: float | None = None):
        if spec:
            try:
                replies = Path(spec).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise InputError(f"cannot read the fake model's replies {spec}: {exc.strerror}") from None
        self.replies = replies or [""]
        self.none_probability = none_probability
        self.calls = 0
        self.line_none_probability = none_probability  # the last reply's: its own "@p", or the default
        self.name = f"fake:{spec}" if spec else "fake"

    def choose(self, messages: list[dict], sources: list[str], words: list[str], max_tokens: int) -> Choice:
        """The scripted reply's decision, with the reply's probability of "none" (when set) moved to "none"."""
        choice = super().choose(messages, sources, words, max_tokens)
        none = self.line_none_probability
        if none is None or "none" not in choice.odds:
            return choice
        odds = {o: p * (1 - none) + (none if o == "none" else 0.0) for o, p in choice.odds.items()}
        return Choice(odds, choice.pieces)

    def stream(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        reply = self.replies[self.calls % len(self.replies)]
        self.calls += 1
        none = self.none_probability
        if reply.startswith("@"):
            head, _, reply = reply.partition(" ")
            none = float(head[1:])
        self.line_none_probability = none
        for i, word in enumerate(reply.split(" ")):
            yield word if i == 0 else f" {word}"
