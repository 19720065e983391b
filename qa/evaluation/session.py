"""One ``qa eval`` run: which questions, about which corpus, read into which index, held to which thresholds; the
QA they are put to; and the report the run leaves. The CLI parses the options, shows progress and prints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..api import QA
from ..settings import Settings
from ..store.index import outdated
from . import runner
from .runner import Config, Question, Result


@dataclass
class EvalSet:
    """The questions of one run, the corpus they are about, the index it is read into and the gate's thresholds."""

    questions: list[Question]
    corpus: Path
    index: Path
    thresholds: dict


def own_set(config: Path, cfg: Config, settings: Settings, files: list[Path] | None, index: Path | None) -> EvalSet:
    """The team's own questions (``files``, default every .jsonl beside ``config``) over the config's corpus."""
    questions = runner.load_questions(files or sorted(config.parent.glob("*.jsonl")))
    return EvalSet(questions, cfg.corpus, index or eval_index(settings, cfg.corpus), cfg.thresholds)


def external_set(name: str, cfg: Config, settings: Settings, n: int | None, seed: int | None,
                 index: Path | None) -> EvalSet:
    """A seeded sample of a public set (``qa.evaluation.external``), its size, seed and thresholds defaulting to
    the config's; its articles are written under the qa home, with an index of their own."""
    from . import external as sets

    defaults = cfg.external.get(name, {})
    sample = sets.load(name, n or defaults.get("n", 100), defaults.get("seed", 1) if seed is None else seed)
    corpus = sample.write(settings.index.home / "external" / sample.folder)
    return EvalSet(sample.questions, corpus, index or settings.index.home / f"eval-{corpus.name}-index",
                   defaults.get("thresholds", {}))


def eval_index(settings: Settings, corpus: Path) -> Path:
    """One index per corpus folder: ingesting the same articles from another checkout into a shared index would
    keep both copies, and every question would then see each article twice."""
    return settings.index.home / f"eval-{hashlib.sha1(str(corpus.resolve()).encode()).hexdigest()[:10]}-index"


def prepared(chosen: EvalSet, settings: Settings, llm: str | None, ingest: Callable[[QA, list, bool], object]) -> QA:
    """The QA the questions are put to, its index holding the corpus (``ingest(qa, paths, rebuild)``). An eval
    index is a cache: one an older qa wrote is rebuilt, not refused."""
    qa = QA(index=chosen.index, settings=settings, llm=llm)
    ingest(qa, [chosen.corpus], outdated(qa.index_dir))
    return qa


def report(model: str, external: str | None, seed: int | None, chosen: EvalSet, summary: dict,
           results: list[Result]) -> dict:
    """The run as ``--json-out`` writes it and ``qa report`` reads it."""
    return {"model": model, "external": external, "seed": seed, "thresholds": chosen.thresholds,
            "summary": summary, "results": [r.to_dict() for r in results]}


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))
