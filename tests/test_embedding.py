"""The embedder's two engines (torch for bulk, an ONNX export for quick queries) agree, and a broken export heals."""

import subprocess
import sys

import numpy as np

from qa.embedding import Embedder

TEXTS = ["What was Alibaba's net income in the December 2024 quarter?",
         "Alibaba Group said net income rose to 48.9 billion yuan ($6.71 billion) in the quarter. " * 12]


def test_onnx_export_gives_the_same_vectors_as_torch(tmp_path):
    embedder = Embedder(onnx_dir=tmp_path)
    assert embedder.session is None  # nothing exported yet: queries would use torch
    path = embedder.export_onnx()
    assert path.is_file() and embedder.session is not None
    quick = Embedder(onnx_dir=tmp_path)  # a new process's embedder: torch not loaded
    fast = quick.encode(TEXTS)
    assert "model" not in quick.__dict__  # the ONNX engine answered
    slow = embedder.encode(TEXTS)  # this one has torch loaded
    assert fast.shape == slow.shape == (2, 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (fast * slow).sum(axis=1).min() > 0.999  # the long text is cut at the same 256-piece window


def test_damaged_export_is_dropped_and_rewritten(tmp_path):
    embedder = Embedder(onnx_dir=tmp_path)
    embedder.onnx_file.parent.mkdir(parents=True, exist_ok=True)
    embedder.onnx_file.write_bytes(b"not an onnx model")
    assert embedder.session is None and not embedder.onnx_file.exists()
    assert embedder.encode(TEXTS[:1]).shape == (1, 384)  # torch meanwhile
    assert Embedder(onnx_dir=tmp_path).export_onnx().stat().st_size > 1_000_000


def test_a_query_process_never_imports_torch(tmp_path):
    Embedder(onnx_dir=tmp_path).export_onnx()
    code = ("import sys; from pathlib import Path; from qa.embedding import Embedder; "
            f"Embedder(onnx_dir=Path({str(tmp_path)!r})).encode(['net income']); print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
