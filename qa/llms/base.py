"""The one interface every LLM backend implements: stream the reply to a list of chat messages."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator


class LLM(ABC):
    """A chat model. Backends are registered under the ``qa.llms`` entry-point group by spec prefix.

    ``spec`` is what follows the prefix: ``llamacpp:qwen2.5-1.5b`` gives ``"qwen2.5-1.5b"``.
    """

    name: str = "llm"
    # After a ``stream`` given a ``probe``: the probability the model gave, at its first token, to starting its
    # reply with the probe text (qa's refusal sentinel); None when the backend cannot tell.
    probed: float | None = None

    @abstractmethod
    def stream(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None,
               probe: str | None = None) -> Iterator[str]:
        """Yield the reply in pieces as they are generated; temperature 0, so answers are repeatable.
        With ``probe``, set ``probed`` (see above) once the first piece is out."""

    def prepare(self, messages: list[dict]) -> None:
        """Get ready for prompts that open like ``messages`` (only their last message varies); optional.
        Called on a thread while retrieval runs, so that slow preparation overlaps it."""

    def complete(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> str:
        return "".join(self.stream(messages, max_tokens, stop))

    def count_tokens(self, text: str) -> int | None:
        """Tokens in ``text`` when the backend can tell, for reporting prompt sizes."""
        return None


def probe_share(top: dict[str, float], probe: str) -> float:
    """Probability mass of the first-token candidates (token text -> probability) that begin ``probe``."""
    return sum(p for token, p in top.items() if token.strip() and probe.startswith(token.strip()))
