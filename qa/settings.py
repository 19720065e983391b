"""One settings object for the API, the CLI and the environment (``QA_*`` variables).

It is the one source of every default. Each field can be set, in rising priority, in a preset file
(``--settings FILE``, TOML), as ``QA_<FIELD>`` in the environment, or on the command line (``--set FIELD=VALUE``);
``qa settings`` lists them with their descriptions.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Where qa keeps its index, joined model files and chat history unless told otherwise."""
    return Path.home() / ".qa"


class Settings(BaseSettings):
    """Every tunable of qa in one place. Each field can be set as ``QA_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    home: Path = Field(default_factory=default_home, description="Folder for the default index, models and history.")
    index: Path | None = Field(default=None, description="Index folder; defaults to <home>/index.")
    llm: str = Field(default="llamacpp", description="LLM spec: 'llamacpp[:preset-or-path]' or 'openai[:model]'.")
    embedding_model: str = Field(default="all-MiniLM-L6-v2", description="Sentence-transformers model, from its pip "
                                 "package; an index remembers the one it was built with.")
    chunk_size: int = Field(default=180, description="Chunk length in word pieces; the embedder sees at most 256.")
    chunk_overlap: int = Field(default=30, description="Word pieces shared by neighbouring chunks.")
    top_k: int = Field(default=5, description="Passages returned by search.")
    context_passages: int = Field(default=4, description="Passages retrieved for an answer; their articles are "
                                  "read sentence by sentence.")
    context_articles: int = Field(default=3, description="Most articles whose sentences may enter the answer prompt.")
    context_sentences: int = Field(default=3, description="Most relevant sentences placed in the answer prompt.")
    context_window: int = Field(default=0, description="Sentences before each chosen one that come with it.")
    rrf_k: int = Field(default=60, description="Reciprocal-rank-fusion constant.")
    candidates: int = Field(default=50, description="Passages each ranking (dense, BM25) offers to the fusion.")
    max_tokens: int = Field(default=96, description="Answer length cap in tokens.")
    n_ctx: int = Field(default=4096, description="Context window for the local model.")
    threads: int | None = Field(default=None, description="CPU threads for the local model (default: all cores).")
    embed_precision: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto", description="Embedding arithmetic; auto uses bfloat16 where the CPU has it natively.")
    # Both thresholds were chosen on a SQuAD 2.0 / TAT-QA / own-set sample (seed 1) with benchmarks/calibrate.py
    # and reported on another seed (benchmarks/README.md).
    min_relevance: float = Field(default=0.25, description="Refuse when the best passage's cosine is below this.")
    max_sentinel_probability: float = Field(
        default=0.02, description="Refuse when the model gave more than this probability to opening its reply with "
        "the refusal sentinel, even though it then answered.")

    @classmethod
    def load(cls, preset: Path | None = None, **overrides) -> "Settings":
        """Settings from a preset file (TOML, flat ``field = value``) under the environment and ``overrides``."""
        from .errors import InputError

        values: dict = {}
        if preset is not None:
            try:
                values = tomllib.loads(Path(preset).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read settings file {preset}: {exc}") from None
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            raise InputError(f"{preset}: unknown setting {unknown[0]!r}; 'qa settings' lists them")
        from_env = cls()  # the environment beats the file: keep only the file's fields the environment leaves alone
        values = {k: v for k, v in values.items() if k not in from_env.model_fields_set}
        try:
            return cls(**{**values, **overrides})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InputError(f"bad setting {first['loc'][0]}={first.get('input')!r}: {first['msg']}") from None

    def index_dir(self) -> Path:
        return self.index or self.home / "index"

    def models_dir(self) -> Path:
        return self.home / "models"
