"""Any OpenAI-compatible chat API through the openai SDK: OpenAI, vLLM, Ollama, llama.cpp's server, LM Studio.

``openai:<model>``; the server comes from ``OPENAI_BASE_URL`` and the key from ``OPENAI_API_KEY`` (any
non-empty value for local servers). The key is handed to the SDK and never printed or stored.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator

from ..errors import ModelError
from ..settings import Settings
from .base import LLM

DEFAULT_MODEL = "gpt-4o-mini"
TOP_LOGPROBS = 20  # the most OpenAI allows: the first decision weighs up to 26 letters and two words


class OpenAILLM(LLM):
    def __init__(self, spec: str | None, settings: Settings):
        try:
            import openai
        except ImportError:
            raise ModelError("the openai package is not installed: pip install openai") from None
        if not os.environ.get("OPENAI_API_KEY"):
            raise ModelError("OPENAI_API_KEY is not set (any non-empty value will do for a local server)")
        self.base_url = os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        self.model = spec or DEFAULT_MODEL
        self.client = openai.OpenAI(base_url=self.base_url, timeout=120.0, max_retries=1)
        self.errors = openai
        self.name = f"openai:{self.model}"
        self.logprobs = True  # until the server shows it cannot give them
        # the last reply's first-token candidates, which LLM.choose reads its first decision from
        self.first_top: dict[str, float] | None = None

    def stream(self, messages: list[dict], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        self.first_top = None
        asked = self.logprobs
        answered = False
        try:
            for chunk in self._create(messages, max_tokens, stop, logprobs=asked):
                if not (chunk.choices and chunk.choices[0].delta.content):
                    continue
                if not answered and asked:
                    self.first_top = _first_token_top(chunk.choices[0])
                answered = True
                yield chunk.choices[0].delta.content
        except self.errors.APIConnectionError:
            raise ModelError(f"cannot reach the OpenAI-compatible server at {self.base_url}") from None
        except self.errors.AuthenticationError:
            raise ModelError(f"the server at {self.base_url} rejected OPENAI_API_KEY") from None
        except self.errors.APIError as exc:
            if not (asked and not answered):
                status = getattr(exc, "status_code", None)
                said = f"answered HTTP {status}" if status else f"failed: {exc.message}"
                raise ModelError(f"the server at {self.base_url} {said}") from None
        if asked and not answered:
            # Servers that cannot give log-probabilities (llama.cpp's without logits_all) fail the request, at
            # once or after opening the stream; they are asked without them from now on.
            self.logprobs = False
            yield from self.stream(messages, max_tokens, stop)

    def _create(self, messages: list[dict], max_tokens: int, stop: list[str] | None, logprobs: bool):
        extra = {"logprobs": True, "top_logprobs": TOP_LOGPROBS} if logprobs else {}
        return self.client.chat.completions.create(
            model=self.model, messages=messages, max_tokens=max_tokens, temperature=0.0,
            stop=stop or None, stream=True, **extra)


def _first_token_top(choice) -> dict[str, float] | None:
    """The first token's candidates and their probabilities, when the server sent them."""
    content = getattr(choice.logprobs, "content", None) if choice.logprobs else None
    if not content:
        return None
    return {t.token: math.exp(t.logprob) for t in content[0].top_logprobs}
