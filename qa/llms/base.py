"""The one interface every LLM backend implements: stream the reply to a list of chat messages."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass


COPY = "copy"  # the first decision's name for a reply that copies words of a source


@dataclass
class Choice:
    """A reply's first decision (``odds``: each option's probability at its first token) and, when the likeliest
    option is ``COPY``, the copied words as they are generated."""

    odds: dict[str, float]
    pieces: Iterator[str]


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

    def follow(self, messages: list[dict], grammar: str, max_tokens: int) -> str:
        """A one-line reply in the shape ``grammar`` (GBNF) describes. Backends that control decoding allow only
        tokens the grammar allows; this default asks for a plain line, which the caller checks for that shape."""
        return "".join(self.stream(messages, max_tokens, stop=["\n"]))

    def choose(self, messages: list[dict], sources: list[str], words: list[str], max_tokens: int) -> Choice:
        """The reply's first decision and, when it is to copy, the copied words.

        The reply either opens with one of ``words`` ("none", "calculate") or copies a span of one of
        ``sources``. ``Choice.odds`` gives each word and ``COPY`` its probability at the reply's first token.
        Backends that control decoding read that distribution and then allow only tokens that continue a span
        of a source; this default asks for the whole reply, reads the odds from the first token's candidates when
        the backend kept them (``first_top``) or else from the text, and leaves qa to check the words."""
        reply = self.complete(messages, max_tokens).strip()
        top = getattr(self, "first_top", None)
        odds = (top and first_token_odds(top, words)) or {
            w: float(w == next((x for x in words if reply.lower().startswith(x)), COPY)) for w in [*words, COPY]}
        return Choice(odds, iter([reply] if max(odds, key=odds.get) == COPY else []))

    def complete(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> str:
        return "".join(self.stream(messages, max_tokens, stop))

    def count_tokens(self, text: str) -> int | None:
        """Tokens in ``text`` when the backend can tell, for reporting prompt sizes."""
        return None


def probe_share(top: dict[str, float], probe: str) -> float:
    """Probability mass of the first-token candidates (token text -> probability) that begin ``probe``."""
    return sum(p for token, p in top.items() if token.strip() and probe.startswith(token.strip()))


def first_token_odds(top: dict[str, float], words: list[str]) -> dict[str, float] | None:
    """Each word's share of the first-token candidates (token text -> probability), counting every token that
    begins it ("calc" for "calculate"), and ``COPY`` the rest; None when there are no candidates."""
    total = sum(top.values())
    if not total:
        return None
    odds = {w: probe_share(top, w) / total for w in words}
    return odds | {COPY: max(0.0, 1.0 - sum(odds.values()))}
