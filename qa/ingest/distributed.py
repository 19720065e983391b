"""Reading, splitting and embedding on a Ray cluster (``qa ingest PATH --ray [ADDRESS]``).

Each file or page is read and split by a Ray task, on whichever node has a free core; the passages are embedded by a
Ray Data actor pool that loads the model once per actor. What comes back is what the local path makes, so the
rest of the ingest (the content hashes, deletions, the write to the store) is the one in ``qa.ingest.pipeline``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..embedding import Embedder, get_embedder
from ..errors import InputError
from ..extras import require
from ..store.chunks import Chunk
from .chunking import Chunking
from .pages import PageOf
from .reading import read_and_split

EMBED_BATCH = 64  # passages per call of an embedding actor: enough to keep a core busy, little padding


def read_split_embed(sources: list[Path | str], old_files: dict[str, dict], paged: dict[Path, PageOf],
                     embedder: Embedder, chunking: Chunking, address: str) -> tuple[list, list[Chunk], np.ndarray]:
    """Every source's read record (``qa.ingest.reading.Read``), the changed articles' chunks and their vectors, computed
    on the Ray cluster at ``address`` ('': the one RAY_ADDRESS names, else a new local one on this machine's
    cores)."""
    ray = require("ray", "scale", "qa ingest --ray")
    started = _connect(address)
    try:
        split = ray.remote(read_and_split)
        done = ray.get([split.remote(source, old_files.get(str(source), {}).get("sha256"), paged.get(source),
                                     embedder.name, chunking) for source in sources])
        records = [record for record, _ in done]
        chunks = [chunk for _, pieces in done for chunk in pieces]
        return records, chunks, _embed_on_ray(embedder, [c.indexed_text for c in chunks])
    finally:
        if started:
            ray.shutdown()


def _connect(address: str) -> bool:
    """Join the cluster at ``address``, or start a local one; True when this call started Ray."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a local cluster needs no token (Ray 2.60 asks for one)
    os.environ.setdefault("RAY_DATA_LOG_LEVEL", "ERROR")  # the user sees qa's warnings, not Ray Data's progress
    ray.data.DataContext.get_current().enable_progress_bars = False
    for attempt in (1, 2):  # a busy machine can miss Ray's fixed 30 s for a new node to register; try twice
        try:
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False, configure_logging=False,
                     num_cpus=None if address or os.environ.get("RAY_ADDRESS") else os.cpu_count())
            break
        except Exception as exc:  # Ray raises a bare Exception when a node misses that time
            ray.shutdown()
            if attempt == 2:
                raise InputError(f"cannot start or reach Ray{' at ' + address if address else ''}: "
                                 f"{str(exc).splitlines()[0]}") from None
    return True


class _EmbedActor:
    """Holds one copy of the model for the whole run."""

    def __init__(self, model: str, precision: str):
        self.embedder = get_embedder(model, precision)

    def __call__(self, batch: dict) -> dict:
        batch["vector"] = self.embedder.encode(list(batch["text"]))
        return batch


def _embed_on_ray(embedder: Embedder, texts: list[str]) -> np.ndarray:
    import ray

    if not texts:
        return np.zeros((0, embedder.dim), np.float32)
    actors = max(1, int(ray.cluster_resources().get("CPU", 1)) // 2)  # torch in each actor uses two threads
    rows = ray.data.from_items([{"id": i, "text": text} for i, text in enumerate(texts)]).map_batches(
        _EmbedActor, fn_constructor_args=(embedder.name, "bfloat16" if embedder.bfloat16 else "float32"),
        batch_size=EMBED_BATCH, compute=ray.data.ActorPoolStrategy(size=actors), batch_format="numpy",
    ).take_all()
    vectors = np.zeros((len(texts), embedder.dim), np.float32)
    for row in rows:
        vectors[row["id"]] = row["vector"]
    return vectors
