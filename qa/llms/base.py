"""The one interface every LLM backend implements: stream the reply to a list of chat messages."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator


class LLM(ABC):
    """A chat model. Backends are registered under the ``qa.llms`` entry-point group by spec prefix.

    ``spec`` is what follows the prefix: ``llamacpp:qwen2.5-1.5b`` gives ``"qwen2.5-1.5b"``.
    """

    name: str = "llm"

    @abstractmethod
    def stream(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        """Yield the reply in pieces as they are generated; temperature 0, so answers are repeatable."""

    def prepare(self, messages: list[dict]) -> None:
        """Get ready for prompts that open like ``messages`` (only their last message varies); optional.
        Called on a thread while retrieval runs, so that slow preparation overlaps it."""

    def complete(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> str:
        return "".join(self.stream(messages, max_tokens, stop))

    def count_tokens(self, text: str) -> int | None:
        """Tokens in ``text`` when the backend can tell, for reporting prompt sizes."""
        return None
