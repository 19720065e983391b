"""Find an LLM backend from a spec string such as ``llamacpp``, ``llamacpp:qwen2.5-1.5b`` or ``openai:gpt-4o-mini``.

Backends register under the ``qa.llms`` entry-point group (see pyproject.toml), so another package can add
one without touching qa. One instance per spec per process: a local model loads once.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from ..errors import InputError
from ..settings import Settings
from .base import LLM

__all__ = ["LLM", "get_llm", "backends"]


def backends() -> dict:
    return {ep.name: ep for ep in entry_points(group="qa.llms")}


_loaded: dict[tuple, LLM] = {}


def get_llm(spec: str, settings: Settings | None = None) -> LLM:
    """The backend for ``spec``; an unknown prefix is a one-line error listing the known ones."""
    settings = settings or Settings.load()
    spec = spec.strip()
    key = (spec, settings.llm.n_ctx, settings.llm.threads, str(settings.models_dir()))
    if key not in _loaded:
        prefix, _, rest = spec.partition(":")
        known = backends()
        if prefix not in known:
            raise InputError(f"unknown --llm {spec!r}: use one of {', '.join(sorted(known))} "
                             "(for example 'llamacpp:qwen2.5-1.5b')")
        _loaded[key] = known[prefix].load()(rest or None, settings)
    return _loaded[key]
