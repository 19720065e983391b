"""Milvus Lite through qa's own store, and the embedding rate per core: the per-node rates docs/scale.md builds on.

    .venv/bin/python benchmarks/milvus.py [--part all|store|embed] [--sizes 10000 100000] [--million] [--modes]
                                          [--queries 200] [--texts 2000] [--rounds 3]

Store (``--part store``): a Milvus Lite collection written by ``qa.store.milvus.MilvusStore.update`` at each size,
from the synthetic passages of ``benchmarks/search.py`` (vectors mixed from real ones; here each passage keeps
its real chunk's whole text, about 180 word pieces, so the size on disk is a real passage's). The collection is
filled in batches of 10,000 passages (an ingest each); then, in a new process as ``qa ask`` would open it, the
hybrid search qa runs (``MilvusStore.ranked``: dense + BM25 + RRF inside Milvus, 50 candidates each) for each
question, with and without a filter (``--modes``: also dense alone and BM25 alone), the query embedding beside it
(onnxruntime, as qa embeds a question), the ``files`` read an ingest starts with, and a whole ``update`` of 100 new
articles including its deletes.

While filling, ``update``'s per-article deletes ("drop this article's passages of other content hashes") are
skipped: the articles are new, so they delete nothing, but in Milvus Lite's Python engine each one is a filtered
scan (of the unflushed rows while writing: 0.18 s each at 3,000 of them; of the whole collection afterwards), which
makes a large ``update`` quadratic. The last column of the writing table keeps them.

Embedding (``--part embed``): ``qa.embedding.get_embedder().encode`` over ``--texts`` chunks of generated
articles (qa's splitter, 180 word pieces), torch at 1 and at 2 threads, median of ``--rounds``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import rss_mb  # noqa: E402
from search import SETTINGS, base_collection, folder_mb, percentile, synthetic  # noqa: E402

OUT = HERE / "out"
FILL_BATCH = 10_000  # passages per update while filling: one ingest's worth
NEW_ARTICLES = 100  # articles of the measured whole update (4 passages each, as synthetic() makes them)
EMBEDDER = {"name": SETTINGS.index.embedding_model, "dim": 384}


def conditions() -> str:
    load = os.getloadavg()
    return f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def full_texts(chunks, vectors: np.ndarray, n: int, rng: np.random.Generator):
    """``synthetic()``'s passages, each with the whole text of the real chunk it was made from (not 40 words)."""
    first = copy.deepcopy(rng).integers(0, len(vectors), n)  # the draw synthetic() makes first
    out, mixed = synthetic(chunks, vectors, n, rng)
    for passage, j in zip(out, first):
        assert " ".join(chunks[j].text.split()).startswith(passage.text)
        passage.text = chunks[j].text
    return out, mixed


def hashes_of(chunks) -> dict[str, str]:
    return {c.path: "synthetic" for c in chunks}


# -- filling a collection (this process) ------------------------------------------------------------------------


def fill(db: Path, chunks, vectors: np.ndarray) -> dict:
    from qa.store.milvus import COLLECTION, MilvusStore

    shutil.rmtree(db, ignore_errors=True)
    store = MilvusStore(str(db))
    skipped = store.client.delete
    store.client.delete = lambda *args, **kwargs: None  # new articles: their deletes would remove nothing
    spent = {"upsert": 0.0}
    upsert = store.client.upsert

    def timed_upsert(*args, **kwargs):
        start = time.perf_counter()
        try:
            return upsert(*args, **kwargs)
        finally:
            spent["upsert"] += time.perf_counter() - start

    store.client.upsert = timed_upsert
    start = time.perf_counter()
    for at in range(0, len(chunks), FILL_BATCH):
        batch = chunks[at:at + FILL_BATCH]
        store.update([], [], batch, vectors[at:at + FILL_BATCH], hashes_of(batch), EMBEDDER)
    updated = time.perf_counter() - start
    start = time.perf_counter()
    store.client.flush(COLLECTION)  # qa does not flush on Lite; here the flush and close are timed
    store.client.delete = skipped
    store.client.close()
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(db))  # Lite holds the folder until its server stops
    flushed = time.perf_counter() - start
    return {"update_s": updated, "upsert_s": spent["upsert"], "flush_s": flushed}


# -- opening and searching (a new process, as qa ask would) ----------------------------------------------------


def open_and_search(db: Path, job: dict) -> dict:
    from qa.embedding import get_embedder
    from qa.retrieval.fusion import ReciprocalRankFusion
    from qa.store.filters import Filters
    from qa.store.milvus import MilvusStore
    from qa.text.words import bm25_tokens

    embedder = get_embedder(SETTINGS.index.embedding_model, onnx_dir=SETTINGS.models_dir())
    engine = "onnxruntime" if embedder.session is not None else "torch"
    embedder.encode(["warm up"])
    bm25_tokens(["warm up"], as_ids=False)
    before = rss_mb()
    start = time.perf_counter()
    store = MilvusStore(str(db))
    count = len(store)  # loads the collection
    opened = time.perf_counter() - start
    questions, companies = job["questions"], job["companies"]
    fusion = ReciprocalRankFusion(60)
    for question in questions[:5]:  # warm-up, not counted
        store.ranked(embedder.encode([question])[0], bm25_tokens([question], as_ids=False)[0], 50, None, fusion)
    memory = rss_mb() - before
    rows = {}
    cases = [("none", "hybrid", lambda i: None),
             ("title contains the company", "hybrid", lambda i: Filters(title=companies[i])),
             ("date range (a year)", "hybrid", lambda i: Filters(date_from="2024-01-01", date_to="2024-12"))]
    if job["modes"]:
        cases += [("none, dense alone", "dense", lambda i: None), ("none, BM25 alone", "bm25", lambda i: None)]
    for label, mode, filters_of in cases:
        embed, search, found = [], [], []
        for i, question in enumerate(questions):
            start = time.perf_counter()
            vector = embedder.encode([question])[0]
            middle = time.perf_counter()
            hits = store.ranked(vector, bm25_tokens([question], as_ids=False)[0], 50, filters_of(i), fusion, mode)
            embed.append((middle - start) * 1000)
            search.append((time.perf_counter() - middle) * 1000)
            found.append(len(hits))
        rows[label] = {"embed_p50": percentile(embed, 50), "embed_p95": percentile(embed, 95),
                       "p50": percentile(search, 50), "p95": percentile(search, 95),
                       "total_p95": percentile([a + b for a, b in zip(embed, search)], 95),
                       "hits": float(np.median(found))}
    start = time.perf_counter()
    articles = len(store.files)
    files_s = time.perf_counter() - start
    # a whole update as qa ingest makes it: 100 new articles, with the per-article deletes
    from qa.store.chunks import Chunk

    new = [Chunk(**{**c, "path": c["path"].replace("synthetic/", "new/")}) for c in job["new"]]
    vectors = np.asarray(job["new_vectors"], dtype=np.float32)
    start = time.perf_counter()
    store.update([], [], new, vectors, hashes_of(new), EMBEDDER)
    whole_update_s = time.perf_counter() - start
    return {"passages": count, "articles": articles, "open_s": opened, "memory_mb": memory, "engine": engine,
            "searches": rows, "files_s": files_s, "whole_update_s": whole_update_s, "update_passages": len(new),
            "update_articles": len(hashes_of(new))}


def store_report(sizes: list[int], queries: int, modes: bool) -> None:
    from dataclasses import asdict

    with tempfile.TemporaryDirectory() as tmp:
        chunks, vectors, questions, _ = base_collection(Path(tmp))
    questions = questions[:queries]
    companies = [re.match(r"(?:What was|How fast did) (.+?)'s ", q).group(1) for q in questions]
    print(f"{len(chunks)} real chunks; {len(questions)} questions; {conditions()}", flush=True)
    results = {}
    for n in sizes:
        rng = np.random.default_rng(5)
        passages, mixed = full_texts(chunks, vectors, n + NEW_ARTICLES * 4, rng)
        db = OUT / f"milvus-{n}.db"
        filled = fill(db, passages[:n], mixed[:n])
        disk = folder_mb(db)
        job = {"questions": questions, "companies": companies, "modes": modes, "new": [asdict(c) for c in passages[n:]],
               "new_vectors": mixed[n:].tolist()}
        done = subprocess.run([sys.executable, __file__, "--open-and-search", str(db)], input=json.dumps(job),
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr)
        results[n] = {**filled, **json.loads(done.stdout.strip().splitlines()[-1]), "disk_mb": disk,
                      "text_bytes": float(np.mean([len(p.text.encode()) for p in passages[:n]]))}
        shutil.rmtree(db, ignore_errors=True)
        print(f"{n:,} passages measured ({conditions()})", flush=True)
    print("\nWriting (`MilvusStore.update` in batches of 10,000 new passages, its per-article deletes skipped; "
          "then one flush):\n")
    print("| passages | update s | of it upsert s | flush s | passages/s | on disk MB | KB per passage "
          "(text bytes) | `files` s | whole update of 100 articles s (passages/s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, r in results.items():
        print(f"| {n:,} | {r['update_s']:.1f} | {r['upsert_s']:.1f} | {r['flush_s']:.1f} | "
              f"{n / (r['update_s'] + r['flush_s']):,.0f} | {r['disk_mb']:.0f} | "
              f"{r['disk_mb'] * 1024 / n:.2f} ({r['text_bytes']:.0f}) | {r['files_s']:.2f} | "
              f"{r['whole_update_s']:.1f} ({r['update_passages'] / r['whole_update_s']:.0f}) |")
    print("\nSearching (a new process; `MilvusStore.ranked`, k = 50 per ranking, RRF; query embedding beside it):\n")
    print("| passages | open s | memory MB (KB/passage) | filter | hits | search p50 ms | p95 ms | "
          "query embedding p50 / p95 ms | embedding + search p95 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, r in results.items():
        for label, s in r["searches"].items():
            print(f"| {n:,} | {r['open_s']:.2f} | {r['memory_mb']:.0f} ({r['memory_mb'] * 1024 / n:.2f}) | {label} | "
                  f"{s['hits']:.0f} | {s['p50']:.1f} | {s['p95']:.1f} | {s['embed_p50']:.1f} / {s['embed_p95']:.1f} | "
                  f"{s['total_p95']:.1f} |")
    print(f"\nQuery embedding engine: {next(iter(results.values()))['engine']}. {conditions()}")


# -- embedding rate per core -----------------------------------------------------------------------------------


def embed_report(n_texts: int, rounds: int) -> None:
    import torch
    from corpus import generate

    from qa.embedding import get_embedder
    from qa.ingest.chunking import Chunking, split_article
    from qa.ingest.documents import parse, read_bytes

    embedder = get_embedder()  # the default model, torch (bfloat16 where the CPU has it), as an ingest runs it
    texts = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in generate(Path(tmp), n_texts // 2, seed=23):
            article = parse(path, read_bytes(path))
            texts += [c.indexed_text for c in split_article(article, embedder, Chunking.of(SETTINGS.index))]
            if len(texts) >= n_texts:
                break
    texts = texts[:n_texts]
    pieces = np.mean([len(embedder.count_tokens(t)) for t in texts])
    embedder.encode(texts[:64])  # loads the model
    print(f"{len(texts)} passages of {pieces:.0f} word pieces on average; bfloat16: {embedder.bfloat16}; "
          f"{conditions()}", flush=True)
    rates = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        embedder.encode(texts[:64])
        seconds = []
        for _ in range(rounds):
            start = time.perf_counter()
            embedder.encode(texts)
            seconds.append(time.perf_counter() - start)
        rates[threads] = (float(np.median(seconds)), seconds)
        print(f"{threads} thread(s): {[round(s, 1) for s in seconds]} s ({conditions()})", flush=True)
    print("\n| torch threads | seconds (median of %d) | passages/s | passages/s per core |" % rounds)
    print("| --- | --- | --- | --- |")
    for threads, (median, _) in rates.items():
        print(f"| {threads} | {median:.1f} | {len(texts) / median:.1f} | {len(texts) / median / threads:.1f} |")
    print(f"\n2 threads / 1 thread: {rates[1][0] / rates[2][0]:.2f}x. {conditions()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "store", "embed"], default="all")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true",
                        help="also 1,000,000 passages (not measured: at 100,000 a search took 0.9 s and 1.8 GB)")
    parser.add_argument("--modes", action="store_true", help="also time dense alone and BM25 alone")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--texts", type=int, default=2000, help="passages to embed")
    parser.add_argument("--rounds", type=int, default=3, help="embedding rounds to take the median of")
    parser.add_argument("--open-and-search", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    if args.open_and_search:
        print(json.dumps(open_and_search(args.open_and_search, json.loads(sys.stdin.read()))))
        return
    OUT.mkdir(exist_ok=True)
    if args.part in ("all", "embed"):
        embed_report(args.texts, args.rounds)
    if args.part in ("all", "store"):
        store_report(args.sizes + ([1_000_000] if args.million else []), args.queries, args.modes)


if __name__ == "__main__":
    main()
