"""Local GGUF models through llama-cpp-python's chat API (which applies the model's own chat template)."""

from __future__ import annotations

import functools
import itertools
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .gguf import resolve_model
from ..settings import Settings
from .base import COPY, LLM, Choice


class LlamaCppLLM(LLM):
    """``llamacpp`` (default model), ``llamacpp:<preset>`` or ``llamacpp:/path/to/model.gguf``."""

    def __init__(self, spec: str | None, settings: Settings):
        path = resolve_model(spec, settings.models_dir())
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("llama-cpp-python is not installed: run the set-up in the README") from None
        try:
            self.model = Llama(
                model_path=str(path), n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads or os.cpu_count(),
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"cannot load {path}: {exc}") from None
        self.name = f"llamacpp:{spec or path.stem}"
        self.prefixes = PrefixCache(self.model, path, settings.index.home / "cache")

    def prepare(self, messages: list[dict]) -> None:
        self.prefixes.restore(messages)

    def stream(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        self.prefixes.restore(messages)
        chunks = self.model.create_chat_completion(
            messages=messages, max_tokens=max_tokens, temperature=0.0, stop=stop, stream=True)
        for chunk in chunks:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece

    def follow(self, messages: list[dict], grammar: str, max_tokens: int) -> str:
        from llama_cpp import LlamaGrammar

        self.prefixes.restore(messages)
        reply = self.model.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0,
                                                  grammar=LlamaGrammar.from_string(grammar, verbose=False))
        return reply["choices"][0]["message"]["content"] or ""

    def choose(self, messages: list[dict], sources: list[str], words: list[str], max_tokens: int) -> Choice:
        """One greedy decoding under a logits processor. At the first token it reads the distribution (each
        word's first token against every token that starts a span of a source) and allows only the likeliest
        option's tokens; after that, ``CopyConstraint``: the reply can only copy."""
        if not self.prefixes.formatter:
            return super().choose(messages, sources, words, max_tokens)
        from llama_cpp import LogitsProcessorList

        self.prefixes.restore(messages)
        prompt = self._prompt(messages)
        constraint = CopyConstraint(f" {SEPARATOR} ".join(sources), self._vocabulary(), self._ends(), len(prompt))
        opening = {word: [self._first_token(word)] for word in words} | {COPY: constraint.openings()}
        odds: dict[str, float] = {}

        def decide(input_ids, scores):
            if len(input_ids) > len(prompt):
                return constraint(input_ids, scores)
            shifted = np.exp(scores - scores.max())
            weights = {option: float(shifted[tokens].sum()) for option, tokens in opening.items()}
            odds.update({option: w / sum(weights.values()) for option, w in weights.items()})
            allowed = opening[max(odds, key=odds.get)]
            masked = np.full_like(scores, -np.inf)
            masked[allowed] = scores[allowed]
            return masked

        chunks = self.model.create_completion(prompt, max_tokens=max_tokens, temperature=0.0, stream=True,
                                              logits_processor=LogitsProcessorList([decide]))
        first = next(chunks, None)
        if max(odds, key=odds.get) != COPY or first is None:
            chunks.close()
            return Choice(odds, iter([]))
        return Choice(odds, (c["choices"][0]["text"] for c in itertools.chain([first], chunks)
                             if c["choices"][0]["text"]))

    def _prompt(self, messages: list[dict]) -> list[int]:
        """The chat-formatted prompt's tokens, ending where the assistant's reply begins."""
        text = self.prefixes.formatter(messages=messages).prompt
        return self.model.tokenize(text.encode(), add_bos=False, special=True)

    @functools.lru_cache(maxsize=64)
    def _first_token(self, option: str) -> int:
        return self.model.tokenize(option.encode(), add_bos=False, special=False)[0]

    @functools.lru_cache(maxsize=1)
    def _vocabulary(self) -> list[str | None]:
        """Each token's text (None for special tokens and pieces of a multi-byte character, which cannot be
        copied on their own)."""
        texts = []
        for token in range(self.model.n_vocab()):
            try:
                texts.append(self.model.detokenize([token]).decode("utf-8") or None)
            except UnicodeDecodeError:
                texts.append(None)
        return texts

    @functools.lru_cache(maxsize=1)
    def _ends(self) -> tuple[int, ...]:
        """The tokens that end a reply: the end of text and the chat template's end of turn."""
        turn_end = self.model.tokenize(b"<|im_end|>", add_bos=False, special=True)
        return tuple({self.model.token_eos(), *(turn_end if len(turn_end) == 1 else [])})

    def count_tokens(self, text: str) -> int | None:
        return len(self.model.tokenize(text.encode("utf-8"), add_bos=False, special=True))


class PrefixCache:
    """The evaluated opening of each prompt (system message and worked example), kept on disk.

    Every question's prompt starts with the same few hundred tokens, which take the CPU seconds to read.
    llama.cpp already skips a prefix it still holds in memory; this keeps that prefix across processes, so a
    new ``qa ask`` starts from it, and a chat that alternates two prompts does not re-read either.
    Files are keyed by the model file, the context size, the llama.cpp version and the exact prefix tokens.
    """

    MIN_TOKENS = 64  # shorter openings are not worth a file

    def __init__(self, model, path: Path, folder: Path):
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.model, self.folder = model, folder
        stat = path.stat()
        self.identity = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{model.n_ctx()}:{llama_cpp.__version__}"
        template = model.metadata.get("tokenizer.chat_template")
        token_text = lambda i: model._model.token_get_text(i) if i != -1 else ""  # noqa: E731
        self.formatter = template and Jinja2ChatFormatter(
            template=template, eos_token=token_text(model.token_eos()), bos_token=token_text(model.token_bos()))
        self.known: dict[tuple, list[int]] = {}  # prompt opening -> its tokens, found once per process

    def restore(self, messages: list[dict]) -> None:
        """Make the model hold ``messages``' opening: from memory, from its file, or by reading it once."""
        prefix = self.shared_prefix(messages)
        if len(prefix) < self.MIN_TOKENS or self.model._input_ids[:len(prefix)].tolist() == prefix:
            return
        file = self.folder / f"{hashlib.sha256(f'{self.identity}:{prefix}'.encode()).hexdigest()[:24]}.kv.npz"
        if file.exists() and self._load(file, len(prefix)):
            return
        self.model.reset()
        self.model.eval(prefix)
        self._save(file)

    def shared_prefix(self, messages: list[dict]) -> list[int]:
        """Tokens common to the prompt whatever the last message says: where that message's text begins."""
        if not self.formatter or not messages:
            return []
        opening = tuple((m["role"], m["content"]) for m in messages[:-1]) + (messages[-1]["role"],)
        if opening not in self.known:
            variants = [messages[:-1] + [{**messages[-1], "content": text}] for text in ("a", "b")]
            first, second = (self.model.tokenize(self.formatter(messages=m).prompt.encode(), add_bos=False,
                                                 special=True) for m in variants)
            common = next((i for i, (x, y) in enumerate(zip(first, second)) if x != y), min(len(first), len(second)))
            self.known[opening] = first[:common]
        return self.known[opening]

    def _load(self, file: Path, n_tokens: int) -> bool:
        """Set the model's state from ``file``. Not through ``Llama.load_state``: that also fills a logits table of
        n_batch x vocabulary floats (300 MB for Qwen), 0.7 s of a cold ``qa ask``, which generation never reads
        (it decodes the question's tokens after the prefix, and their logits are what it samples from)."""
        import ctypes

        import llama_cpp

        try:
            with np.load(file, allow_pickle=False) as saved:
                state, input_ids = saved["state"], saved["input_ids"]
            if len(input_ids) != len(self.model.input_ids):
                raise ValueError("saved for another context size")
            data = (ctypes.c_uint8 * len(state)).from_buffer(state)
            if llama_cpp.llama_state_set_data(self.model._ctx.ctx, data, len(state)) != len(state):
                raise RuntimeError("llama.cpp did not take the whole state")
            self.model.input_ids[:] = input_ids
            self.model.n_tokens = n_tokens
            self.model._requires_eval = True  # no live logits: the next prompt's tokens are decoded first
            return True
        except (OSError, ValueError, KeyError, RuntimeError):
            file.unlink(missing_ok=True)  # stale or damaged: read the prefix again and rewrite it
            return False

    def _save(self, file: Path) -> None:
        state = self.model.save_state()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = file.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, state=np.frombuffer(state.llama_state, np.uint8), input_ids=state.input_ids)
            os.replace(tmp, file)
        except OSError:
            pass  # a read-only home only costs the next process the same few seconds


SEPARATOR = "\x00"  # between sources copied from at once: no span crosses it


class CopyConstraint:
    """A logits processor under which greedy decoding can only copy: every token must continue a span of the
    source (whitespace normalised), starting at a word, and the reply may end once it holds a word, at a word's
    end.

    Figures and names therefore come out exactly as the source writes them; which span, and how long, is still
    the model's choice. The tokens that occur in the source are found once, with the places they fit."""

    def __init__(self, source: str, vocabulary: list[str | None], ends: tuple[int, ...], start: int):
        self.text = " " + " ".join(source.split())
        self.vocabulary, self.ends, self.start = vocabulary, list(ends), start
        self.fits: dict[int, list[int]] = {}  # position in the text -> tokens that read on from there
        for token, piece in enumerate(vocabulary):
            if piece and piece in self.text and SEPARATOR not in piece:
                at = self.text.find(piece)
                while at >= 0:
                    self.fits.setdefault(at, []).append(token)
                    at = self.text.find(piece, at + 1)
        self.starts = [i for i in range(len(self.text)) if self._word_starts(i)]

    def _word_starts(self, place: int) -> bool:
        """Whether a copy may begin at ``place``: at a space or a word, including one after a sign ("48.4" of
        "$48.4", since the model writes digits one token each), but not inside a figure ("4" of "48.4")."""
        text, here, before = self.text, self.text[place], self.text[place - 1]
        if here == " " or before == " ":
            return True
        inside_figure = before in ".," and text[place - 2:place - 1].isdigit()
        return here.isalnum() and not before.isalnum() and not inside_figure

    def _word_ends(self, place: int) -> bool:
        """Whether a copy may stop before ``place``: not inside a word ("B" of "Bills") or a figure ("48" of
        "48.9")."""
        if place >= len(self.text):
            return True
        before, after, next_ = self.text[place - 1], self.text[place], self.text[place + 1:place + 2]
        inside_figure = before.isdigit() and after in ".," and next_.isdigit()
        return not ((before.isalnum() and after.isalnum()) or inside_figure)

    def openings(self) -> list[int]:
        """The tokens a copy may begin with."""
        return sorted({token for p in self.starts for token in self.fits.get(p, ())})

    def __call__(self, input_ids, scores):
        copied = "".join(self.vocabulary[t] or "" for t in input_ids[self.start:])
        if copied:
            places = [p + len(copied) for p in self.starts if self.text.startswith(copied, p)]
        else:
            places = self.starts
        allowed = [t for p in places for t in self.fits.get(p, ())]
        if (copied.strip() and any(self._word_ends(p) for p in places)) or not allowed:
            allowed += self.ends
        masked = np.full_like(scores, -np.inf)
        masked[allowed] = scores[allowed]
        return masked
