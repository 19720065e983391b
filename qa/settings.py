"""One settings object for the API, the CLI and the environment, grouped by the step each field tunes.

``Settings`` holds four groups: ``index`` (where and how articles are stored), ``retrieval`` (which passages and
sentences reach the model), ``answer`` (when to refuse, how long to answer) and ``llm`` (which model, how it
runs). It is the one source of every default. pydantic-settings reads its sources, and one precedence rule holds
for every field: **explicit values > environment > preset file > defaults**.

- A preset file, ``qa --settings FILE`` (TOML, one table per group: ``[retrieval]`` then ``top_k = 8``).
- The environment, as ``QA_<FIELD>`` (``QA_TOP_K=8``). Field names are unique across groups, so the
  variables stay flat; the index folder and the LLM spec keep their short names ``QA_INDEX`` and ``QA_LLM``.
- Explicit values: the options these fields generate on the command line (``qa --retrieval.top_k 8 ask ...``),
  or ``Settings.load(values=...)`` and ``QA(...)`` in Python.

``qa settings`` lists every field with its value, default and description.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (BaseSettings, EnvSettingsSource, InitSettingsSource, PydanticBaseSettingsSource,
                               SettingsConfigDict, TomlConfigSettingsSource)

from .errors import InputError


def default_home() -> Path:
    """Where qa keeps its index, joined model files and chat history unless told otherwise."""
    return Path.home() / ".qa"


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IndexSettings(Group):
    """Where articles are stored and how they are cut and embedded."""

    home: Path = Field(default_factory=default_home, description="Folder for the default index, models and history.")
    path: Path | None = Field(default=None, description="Index folder; defaults to <home>/index.",
                              json_schema_extra={"env": "QA_INDEX"})
    store: str = Field(default="faiss", description="Passage store: faiss (FAISS and BM25 in the index folder), "
                       "milvus://HOST:PORT (a Milvus server) or a path ending in .db (Milvus Lite).")
    embedding_model: str = Field(default="all-MiniLM-L6-v2", description="Sentence-transformers model, from its pip "
                                 "package; an index remembers the one it was built with.")
    embed_precision: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto", description="Embedding arithmetic; auto uses bfloat16 where the CPU has it natively.")
    chunk_size: int = Field(default=180, ge=16, description="Chunk length in word pieces; the embedder sees at most 256.")
    chunk_overlap: int = Field(default=30, ge=0, description="Word pieces shared by neighbouring chunks.")
    read_workers: int | None = Field(default=None, ge=1, description="Processes that read and split files when an "
                                     "ingest has a megabyte or more to read (default: one a core).")

    @model_validator(mode="after")
    def _overlap_within_chunk(self) -> "IndexSettings":
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})")
        return self


class RetrievalSettings(Group):
    """Which passages search returns and which of their sentences the model reads."""

    top_k: int = Field(default=5, ge=1, description="Passages returned by search.")
    candidates: int = Field(default=50, ge=1, description="Passages each ranking (dense, BM25) offers to the fusion.")
    rrf_k: int = Field(default=60, ge=0, description="Reciprocal-rank-fusion constant.")
    filing_preference: float = Field(
        default=0.05, ge=0, description="Added to the fused score of passages that a question's company and fiscal "
        "years leave open, when it names a filer of the store: other filers' and other years' filings sink (a fused "
        "score is at most 2 / (rrf_k + 1)); 0 turns the preference off.")
    name_weight: float = Field(
        default=0.02, ge=0, description="Most added to a passage's fused score for mentioning the question's names and "
        "years (the share it mentions, times this): above any gap between neighbouring RRF scores.")
    name_depth: int = Field(default=30, ge=0, description="Passages at the top of the fused ranking that the names "
                            "and years of the question may reorder.")
    context_passages: int = Field(default=4, ge=1, description="Passages retrieved for an answer; their articles are "
                                  "read sentence by sentence.")
    expand_terms: bool = Field(default=True, description="Search a question's financial abbreviations and metrics "
                               "(net AR, capex, quick ratio) also by the statement rows they are read from "
                               "(qa.text.glossary).")
    context_articles: int = Field(default=3, ge=1, description="Most articles whose sentences may enter the answer prompt.")
    context_sentences: int = Field(default=6, ge=1, description="Most relevant sentences the model chooses "
                                   "from and copies out of.")
    context_window: int = Field(default=0, ge=0, description="Sentences before each chosen one that come with it.")
    article_passages: int = Field(default=24, ge=1, description="Passages of each article read for its sentences: a "
                                  "long article's first ones, where news states its facts.")
    word_weight: float = Field(default=0.5, ge=0, description="Weight of IDF-weighted word overlap with the question "
                               "against the embedding cosine in a sentence's score.")


class AnswerSettings(Group):
    """How long an answer may be and when qa refuses instead."""

    max_tokens: int = Field(default=96, ge=1, description="Answer length cap in tokens.")
    # Both thresholds were chosen on a SQuAD 2.0 / TAT-QA / own-set sample (seed 1) with benchmarks/calibrate.py
    # and reported on another seed (benchmarks/README.md).
    min_relevance: float = Field(default=0.25, ge=-1, le=1, description="Refuse when the best passage's cosine is below this.")
    max_none_probability: float = Field(
        default=0.15, ge=0, le=1, description="Refuse when the model gave more than this probability to none of the "
        "sentences answering, at its first decision.")
    min_choice_probability: float = Field(
        default=0.0, ge=0, le=1, description="Refuse when the sentence the model chose had less than this probability "
        "at its first decision (no sentence clearly ahead).")
    history_turns: int = Field(default=3, ge=1, description="Earlier turns of a conversation shown to the model that "
                               "rewrites a follow-up to stand alone: older ones rarely decide what 'it' means.")
    min_calculate_probability: float = Field(
        default=0.2, ge=0, le=1, description="Calculate instead of copying when the model gave at least this "
        "probability to calculating at its first decision.")


class LLMSettings(Group):
    """Which model answers and how it runs."""

    spec: str = Field(default="llamacpp", description="LLM spec: 'llamacpp[:preset-or-path]' or 'openai[:model]'.",
                      json_schema_extra={"env": "QA_LLM"})
    n_ctx: int = Field(default=4096, ge=512, description="Context window for the local model.")
    threads: int | None = Field(default=None, ge=1, description="CPU threads for the local model (default: all cores).")


class ServeSettings(Group):
    """Where ``qa serve`` listens and how much it queues. Its API key is read from ``QA_API_KEY`` alone: a secret
    has no place in a preset file or on a command line that ``ps`` shows."""

    host: str = Field(default="127.0.0.1", description="Address to bind; anything but loopback needs QA_API_KEY.")
    port: int = Field(default=8000, description="Port to listen on; 0 takes any free one.")
    queue: int = Field(default=4, ge=0, description="Requests that may wait for the model; more get 503.")


class Settings(BaseSettings):
    """Every tunable of qa, by group. ``Settings()`` is the defaults under the environment; ``Settings.load()``
    adds a preset file below the environment and explicit values above it; ``Settings.defaults()`` reads
    neither."""

    model_config = SettingsConfigDict(extra="forbid")

    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   **_: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only our flat ``QA_<FIELD>`` variables: no nested ``QA_RETRIEVAL`` JSON, no .env file, no secrets."""
        return init_settings, FlatEnvironment(settings_cls)

    @classmethod
    def fields(cls) -> Iterator[tuple[str, str, FieldInfo]]:
        """Every (group, field, info), in declaration order."""
        for group, info in cls.model_fields.items():
            for name, field in info.annotation.model_fields.items():
                yield group, name, field

    @classmethod
    def load(cls, preset: Path | None = None, values: Mapping[str, object] | None = None) -> "Settings":
        """Defaults, under a preset file (TOML), under the environment, under ``values`` ({"retrieval.top_k": 8}).
        A bad file, name or value is an ``InputError`` naming it."""
        explicit = _grouped(values or {})
        sources = [InitSettingsSource(cls, init_kwargs=explicit), FlatEnvironment(cls)]
        if preset is not None:
            _check_preset(Path(preset))
            sources.append(TomlConfigSettingsSource(cls, toml_file=Path(preset)))
        with _one_line_errors():
            return cls(_build_sources=(tuple(sources), explicit))

    @classmethod
    def defaults(cls) -> "Settings":
        """Every field at its default, whatever the environment says."""
        return cls(_build_sources=((), {}))

    def updated(self, values: Mapping[str, object]) -> "Settings":
        """A copy with some fields changed ({"llm.spec": "openai"}); this object stays as it was."""
        layers = self.model_dump()
        for group, table in _grouped(values).items():
            layers[group].update(table)
        with _one_line_errors():  # these values alone: the environment was read already
            return type(self)(_build_sources=((InitSettingsSource(type(self), init_kwargs=layers),), layers))

    def flat(self) -> dict[str, object]:
        """{"retrieval.top_k": 5, ...}: every field by its dotted name."""
        return {f"{group}.{name}": getattr(getattr(self, group), name) for group, name, _ in self.fields()}

    def index_dir(self) -> Path:
        return self.index.path or self.index.home / "index"

    def models_dir(self) -> Path:
        return self.index.home / "models"


@contextmanager
def _one_line_errors():
    """A bad value as one ``InputError`` naming the first field at fault."""
    try:
        yield
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        shown = "" if isinstance(first.get("input"), dict) else f"={first.get('input')!r}"
        raise InputError(f"bad setting {where}{shown}: {first['msg']}") from None


def env_name(name: str, field: FieldInfo) -> str:
    """The environment variable of a field: ``QA_<FIELD>``, or the short name the field declares."""
    extra = field.json_schema_extra or {}
    return extra.get("env") or f"QA_{name.upper()}"


class FlatEnvironment(EnvSettingsSource):
    """``QA_<FIELD>`` for each field of each group, read as pydantic-settings reads any environment variable."""

    def __call__(self) -> dict[str, Any]:
        found: dict[str, dict[str, str]] = {}
        for group, name, field in Settings.fields():
            value = self.env_vars.get(env_name(name, field).lower())  # read case-insensitively, as lower case
            if value is not None:
                found.setdefault(group, {})[name] = value
        return found


def _grouped(values: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """{"retrieval.top_k": 8} as {"retrieval": {"top_k": 8}}; an unknown name is an ``InputError``."""
    grouped: dict[str, dict[str, object]] = {}
    for dotted, value in values.items():
        group, _, name = dotted.partition(".")
        if group not in Settings.model_fields or name not in Settings.model_fields[group].annotation.model_fields:
            raise InputError(f"unknown setting {dotted!r}; 'qa settings' lists them")
        grouped.setdefault(group, {})[name] = value
    return grouped


def _check_preset(preset: Path) -> None:
    """A preset file that is missing, not TOML, or names an unknown group or field is an ``InputError``
    (pydantic-settings would skip a missing file and report the rest as validation errors)."""
    try:
        data = tomllib.loads(preset.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read settings file {preset}: {exc}") from None
    for group, table in data.items():
        if group not in Settings.model_fields or not isinstance(table, dict):
            raise InputError(f"{preset}: {group!r} is not a settings group ([index], [retrieval], [answer], [llm])")
        unknown = sorted(set(table) - set(Settings.model_fields[group].annotation.model_fields))
        if unknown:
            raise InputError(f"{preset}: unknown setting '{group}.{unknown[0]}'; 'qa settings' lists them")
