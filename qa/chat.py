"""``qa chat``: a conversation over the articles, with follow-up questions made standalone before retrieval.

A follow-up such as "And its net income?" is rewritten from the conversation into "What was Alibaba's net
income in the December quarter?" (the condense-question step), then answered like any ``qa ask``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import render
from .answering.records import Answer, page_label
from .answering.condense import standalone
from .api import QA
from .errors import QAError
from .store.filters import Filters

HELP = """Ask a question about the articles; follow-ups may refer to earlier answers.
  /sources        the passages behind the last answer, and the question that was searched
  /reset          forget the conversation
  /model [SPEC]   show the model, or switch to another (e.g. /model llamacpp:qwen2.5-0.5b)
  /help           this help
  /quit           leave (or Ctrl-D)
Enter sends; Esc then Enter starts a new line. Ctrl-C stops an answer being written."""


@dataclass
class Conversation:
    """The turns so far, and the rewriting of a follow-up into a standalone question."""

    qa: QA
    filters: Filters | None = None
    turns: list[Answer] = field(default_factory=list)

    def standalone(self, question: str) -> str:
        """The question made self-contained from recent turns; unchanged when there is no history."""
        return standalone(self.qa.llm, [(t.searched, t.answer) for t in self.turns], question,
                          self.qa.settings.answer.history_turns)

    def ask(self, question: str) -> Iterator[str | Answer]:
        """Stream the answer to ``question`` in the context of the conversation; the turn is then remembered."""
        searched = self.standalone(question)
        for item in self.qa.stream(question, filters=self.filters, searched=searched):
            if isinstance(item, Answer):
                self.turns.append(item)
            yield item

    def reset(self) -> None:
        self.turns.clear()

    @property
    def last(self) -> Answer | None:
        return self.turns[-1] if self.turns else None


def bundled_corpus() -> Path:
    """The articles that ship with qa, used to build a first index so that a first ``qa chat`` just works."""
    return Path(__file__).resolve().parent.parent / "corpus"


class Repl:
    """The interactive loop: prompt_toolkit for editing and history, rich for output."""

    def __init__(self, conversation: Conversation, console, err, history_file: Path, interactive: bool):
        self.chat = conversation
        self.out = console
        self.err = err
        self.interactive = interactive
        self.history_file = history_file

    def run(self, lines: Iterator[str] | None = None) -> None:
        if self.interactive:
            self.out.print(f"[dim]qa chat · {self.chat.qa.llm.name} · /help for commands, Ctrl-D to leave[/dim]")
        for line in lines if lines is not None else self._prompt_lines():
            text = line.strip()
            if not text:
                continue
            if text.startswith("/"):
                if self.command(text) == "quit":
                    return
                continue
            self.answer(text)

    def _prompt_lines(self) -> Iterator[str]:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.key_binding import KeyBindings

        bindings = KeyBindings()

        @bindings.add("escape", "enter")
        def _newline(event):
            event.current_buffer.insert_text("\n")

        self.history_file.parent.mkdir(parents=True, exist_ok=True)
        session = PromptSession(history=FileHistory(str(self.history_file)), key_bindings=bindings)
        while True:
            try:
                yield session.prompt("› ")
            except KeyboardInterrupt:
                continue
            except EOFError:
                return

    def answer(self, question: str) -> None:
        try:
            final = render.stream_answer(self.out, self.chat.ask(question), live=self.interactive)
        except KeyboardInterrupt:
            self.out.print("[dim](stopped)[/dim]")
            return
        except QAError as exc:
            self.err.print(f"error: {exc}")
            return
        render.print_citations(self.out, final)

    def command(self, text: str) -> str | None:
        from rich.markup import escape

        name, _, arg = text.partition(" ")
        if name in ("/quit", "/exit", "/q"):
            return "quit"
        if name == "/help":
            self.out.print(escape(HELP))
        elif name == "/reset":
            self.chat.reset()
            self.out.print("conversation forgotten")
        elif name == "/sources":
            self.show_sources()
        elif name == "/model":
            if arg.strip():
                try:
                    self.chat.qa.use_llm(arg.strip())
                except QAError as exc:
                    self.err.print(f"error: {exc}")
                    return None
            self.out.print(f"model: {self.chat.qa.llm.name}")
        else:
            self.out.print(f"unknown command {escape(name)}; /help lists the commands")
        return None

    def show_sources(self) -> None:
        from rich.markup import escape

        last = self.chat.last
        if last is None:
            self.out.print("no answer yet")
            return
        self.out.print(f"searched: {escape(last.searched)}")
        if last.refused:
            self.out.print(f"refused: {escape(last.refusal_reason)}")
        for n, p in enumerate(last.passages, start=1):
            self.out.print(f"[bold][{n}] {escape(page_label(p.heading, p.page))}[/bold] · {p.date} · {escape(p.source)}"
                           f"\n    {escape(p.url or p.path)}")
            self.out.print(f"    {escape(p.text)}")

