"""Local GGUF models through llama-cpp-python's chat API (which applies the model's own chat template)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..errors import ModelError
from ..models import resolve_model
from ..settings import Settings
from .base import LLM


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
                model_path=str(path), n_ctx=settings.n_ctx, n_threads=settings.threads or os.cpu_count(),
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"cannot load {path}: {exc}") from None
        self.name = f"llamacpp:{spec or path.stem}"

    def stream(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        chunks = self.model.create_chat_completion(
            messages=messages, max_tokens=max_tokens, temperature=0.0, stop=stop, stream=True,
        )
        for chunk in chunks:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenize(text.encode("utf-8"), add_bos=False, special=True))
