"""``fake``: a scripted model for tests of the logic around the model, never for accuracy.

``fake:FILE`` replays FILE's lines, one reply per call, in turn; ``fake`` alone replies with nothing, which
qa reads as a refusal. A leading ``@0.3 `` on a line sets the probability ``choose`` gives to "none".
In Python, ``FakeLLM(replies=[...], leaning=0.01)`` does the same without a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from ..settings import Settings
from .base import LLM, Choice


class FakeLLM(LLM):
    def __init__(self, spec: str | None = None, settings: Settings | None = None, *, replies: list[str] | None = None,
                 leaning: float | None = None):
        if spec:
            try:
                replies = Path(spec).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise InputError(f"cannot read the fake model's replies {spec}: {exc.strerror}") from None
        self.replies = replies or [""]
        self.leaning = leaning
        self.calls = 0
        self.line_leaning = leaning  # the last reply's leaning, its own "@p" or the default
        self.name = f"fake:{spec}" if spec else "fake"

    def choose(self, messages: list[dict], sources: list[str], words: list[str], max_tokens: int) -> Choice:
        """The scripted reply's decision, with the reply's leaning (when set) given to "none" instead."""
        choice = super().choose(messages, sources, words, max_tokens)
        leaning = self.line_leaning
        if leaning is None or "none" not in choice.odds:
            return choice
        odds = {o: p * (1 - leaning) + (leaning if o == "none" else 0.0) for o, p in choice.odds.items()}
        return Choice(odds, choice.pieces)

    def stream(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        reply = self.replies[self.calls % len(self.replies)]
        self.calls += 1
        leaning = self.leaning
        if reply.startswith("@"):
            head, _, reply = reply.partition(" ")
            leaning = float(head[1:])
        self.line_leaning = leaning
        for i, word in enumerate(reply.split(" ")):
            yield word if i == 0 else f" {word}"
