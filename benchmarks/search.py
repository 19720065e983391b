"""Search at scale: exact against HNSW FAISS indexes, and qa's whole hybrid search, at 10k, 100k (and 1M) chunks.

    .venv/bin/python benchmarks/search.py [--sizes 10000 100000] [--million] [--queries 200] [--qa-only]
    .venv/bin/python benchmarks/search.py --store 1000000 [--rounds 3]

Real vectors and texts come from a few hundred generated articles (benchmarks/corpus.py) embedded by qa; the
larger collections are synthetic: each vector is a normalised mix of two real ones plus noise, each text the
opening of a real chunk. Queries are questions about the generated companies, embedded by qa.

For each size it prints, for the exact (flat) and the HNSW index: build time, size, single-query latency
p50/p95 and recall@10 against exact search. Then qa itself: an index generation written whole by
``qa.store.index`` (which picks the type by size), then the same index after an ingest's changes of 1,000
articles (500 replaced, 500 added, 3,000 passages; written as changes, or compacted when
``qa.store.index.compaction_due`` says so). Each is opened in a new process: time to open, resident memory,
memory per chunk, size on disk, latency of ``QA.search`` (query embedding, dense + BM25, fusion) p50/p95, of
BM25 alone, and recall@10 of qa's dense search against exact search over the live passages. "Store open" is
``Index.open`` alone (passages in SQLite and vectors memory-mapped, read lazily); "open" adds loading the FAISS
and BM25 indexes. The changes' write time excludes embedding them (the store's part of an ingest).

``--store N`` measures the passage store alone at N synthetic passages, without building FAISS or BM25: the
seconds to open it in a new process, to fetch one passage and its article's ids, and to filter all of them by
title, against parsing the same passages from JSON lines (how indexes were stored before format 2).
"""

from __future__ import annotations

import argparse
import json
import random
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

from qa.settings import Settings  # noqa: E402
from qa.store.index import current_generation  # noqa: E402

SETTINGS = Settings.load()  # chunking and the embedding model as qa ingests with them
OUT = HERE / "out"
BASE_ARTICLES = 300


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def base_collection(folder: Path):
    """Chunks and vectors of real generated articles, plus questions about them."""
    from corpus import generate
    from qa.ingest.documents import parse, read_bytes
    from qa.embedding import get_embedder
    from qa.ingest.chunking import Chunking, split_article

    embedder = get_embedder(SETTINGS.index.embedding_model)
    articles = [parse(p, read_bytes(p)) for p in generate(folder, BASE_ARTICLES, seed=11)]
    chunks = [c for a in articles for c in split_article(a, embedder, Chunking.of(SETTINGS.index))]
    vectors = embedder.encode([c.indexed_text for c in chunks])
    questions = []
    for article in articles:
        found = re.match(r"(.+) profit \w+ in quarter to (\w+ \d{4})", article.title)
        if found:
            company, period = found.groups()
            questions += [f"What was {company}'s net income in the quarter to {period}?",
                          f"How fast did {company}'s revenue grow?"]
    return chunks, vectors, questions, embedder


def synthetic(chunks, vectors: np.ndarray, n: int, rng: np.random.Generator):
    """``n`` chunks: a mix of two real vectors plus noise, each with the opening words of a real chunk."""
    from qa.store.index import Chunk

    first = rng.integers(0, len(vectors), n)
    second = rng.integers(0, len(vectors), n)
    mixed = vectors[first] + 0.5 * vectors[second] + rng.normal(0, 0.03, (n, vectors.shape[1])).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    texts = [" ".join(c.text.split()[:40]) for c in chunks]
    out = [Chunk(path=f"synthetic/{i // 4:07d}.md", title=chunks[j].title, date=chunks[j].date,
                 source=chunks[j].source, url="", text=texts[j], ordinal=i % 4) for i, j in enumerate(first)]
    return out, mixed.astype(np.float32)


def time_queries(index, queries: np.ndarray, k: int = 10) -> tuple[list[float], np.ndarray]:
    seconds, found = [], []
    for q in queries:
        start = time.perf_counter()
        _, ids = index.search(q[None, :], k)
        seconds.append((time.perf_counter() - start) * 1000)
        found.append(ids[0])
    return seconds, np.array(found)


def faiss_tradeoff(vectors: np.ndarray, queries: np.ndarray) -> list[dict]:
    """Exact and HNSW side by side on the same vectors and queries, built with qa's own parameters."""
    import faiss

    from qa.store.index import build_dense

    rows, exact_ids = [], None
    for kind, hnsw in (("flat (exact)", False), ("HNSW", True)):
        start = time.perf_counter()
        dense = build_dense(vectors, hnsw=hnsw)
        build = time.perf_counter() - start
        latencies, ids = time_queries(dense, queries)
        exact_ids = ids if exact_ids is None else exact_ids
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, exact_ids)])
        with tempfile.NamedTemporaryFile() as fh:
            faiss.write_index(dense, fh.name)
            size = Path(fh.name).stat().st_size
        rows.append({"index": kind, "build_s": build, "size_mb": size / 2**20, "p50_ms": percentile(latencies, 50),
                     "p95_ms": percentile(latencies, 95), "recall@10": recall})
        del dense
    return rows


def open_and_search(folder: Path, questions: list[str]) -> dict:
    from qa import QA
    from qa.text.words import bm25_tokens

    qa = QA(index=folder)
    qa.embedder.encode(["warm up"])  # loading the embedder is not part of opening an index
    before = rss_mb()
    start = time.perf_counter()
    index = qa.index
    store_opened = time.perf_counter() - start  # passages and vectors: read lazily from here on
    index.dense, index.bm25  # noqa: B018  load both now, as the first search would
    opened = time.perf_counter() - start
    memory = rss_mb() - before
    latencies = milliseconds([lambda q=q: qa.search(q, k=10) for q in questions])
    candidates = qa.settings.retrieval.candidates
    bm25 = milliseconds([lambda w=words: index.bm25_search(w, candidates)
                         for words in bm25_tokens(questions, as_ids=False)])
    return {"store_open_s": store_opened, "open_s": opened, "memory_mb": memory, "rss_mb": rss_mb(),
            "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "bm25_p50_ms": percentile(bm25, 50), "bm25_p95_ms": percentile(bm25, 95),
            "recall@10": dense_recall(index, qa.embedder.encode(questions)), "kind": type(index.dense).__name__,
            "changes": index.compacted < index.slots, "passages": len(index)}


def milliseconds(calls) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def dense_recall(index, queries: np.ndarray, k: int = 10) -> float:
    """Recall@k of qa's dense search against exact search over the live passages (after timing: it copies them)."""
    import faiss

    live = np.flatnonzero(~index.dead)
    _, exact = faiss.knn(queries, np.asarray(index.vectors[live]), k, metric=faiss.METRIC_INNER_PRODUCT)
    return float(np.mean([len(set(index.dense_search(q, k)) & set(live[e])) / k for q, e in zip(queries, exact)]))


def qa_index_at(folder: Path, chunks, vectors) -> float:
    """Write a real qa index generation (qa chooses the FAISS type); returns the seconds it took."""
    from qa.store.index import publish

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = time.perf_counter()
    publish(folder, chunks, vectors, manifest(vectors.shape[1], chunks))
    return time.perf_counter() - start


def change_index(folder: Path, chunks, vectors, rng: np.random.Generator, articles: int = 1000,
                 per_article: int = 3) -> float:
    """Write an ingest's changes of ``articles`` synthetic articles, the first half replacing articles of the index,
    the rest new, as the store writes them after embedding; returns the seconds it took."""
    from qa.store.index import Index, publish_update

    new_chunks, new_vectors = synthetic(chunks, vectors, articles * per_article, rng)
    for i, chunk in enumerate(new_chunks):
        number = i // per_article
        chunk.path = f"synthetic/{number:07d}.md" if number < articles // 2 else f"added/{number:07d}.md"
        chunk.ordinal = i % per_article
    start = time.perf_counter()
    replaced = {c.path for c in new_chunks if c.path.startswith("synthetic/")}
    publish_update(folder, Index.open(folder), replaced, new_chunks, new_vectors,
                   manifest(vectors.shape[1], new_chunks))
    return time.perf_counter() - start


def manifest(dim: int, chunks) -> dict:
    from qa.store.index import FORMAT_VERSION

    return {"format": FORMAT_VERSION, "embedder": {"name": SETTINGS.index.embedding_model, "dim": dim},
            "chunk_size": SETTINGS.index.chunk_size, "chunk_overlap": SETTINGS.index.chunk_overlap,
            "files": {c.path: {"sha256": "", "title": c.title} for c in chunks}}


def store_generation(folder: Path, n: int) -> None:
    """A generation of ``n`` synthetic passages (60 words each, three to an article) and random vectors, written
    as ``qa.store.index.publish`` writes them but without FAISS and BM25; plus the same passages as JSON lines."""
    from dataclasses import asdict

    from qa.store.chunks import Chunk, write
    from qa.store.index import FORMAT_VERSION

    shutil.rmtree(folder, ignore_errors=True)
    generation = folder / "gen-000001"
    generation.mkdir(parents=True)
    words = "revenue rose in the quarter as demand for cloud services grew and margins widened".split()
    chunks = [Chunk(path=f"/corpus/a{i // 3}.md", title=f"Company {i % 977} results", date="2025-01-01",
                    source="Wire", url="", text=" ".join(words[(i + k) % len(words)] for k in range(60)),
                    ordinal=i % 3) for i in range(n)]
    write(generation, chunks, {f"/corpus/a{i}.md": {"sha256": "", "title": ""} for i in range(n // 3)})
    with open(folder / "chunks.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(asdict(c)) + "\n" for c in chunks)
    np.save(generation / "vectors.npy", np.random.default_rng(1).standard_normal((n, 384)).astype(np.float32))
    (generation / "manifest.json").write_text(json.dumps({"format": FORMAT_VERSION,
                                                          "embedder": {"name": "synthetic", "dim": 384}}))
    (folder / "CURRENT").write_text(generation.name)


def open_store(folder: Path) -> dict:
    from qa.store.chunks import Chunk
    from qa.store.filters import Filters
    from qa.store.index import Index

    start = time.perf_counter()
    index = Index.open(folder)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    index.chunk_ids(index.chunks[len(index) // 2].path)
    fetched = time.perf_counter() - start
    start = time.perf_counter()
    index.allowed(Filters(title="company 12"))
    filtered = time.perf_counter() - start
    start = time.perf_counter()
    with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
        parsed = [Chunk(**json.loads(line)) for line in fh]
    return {"open_s": opened, "fetch_ms": fetched * 1000, "filter_s": filtered,
            "jsonl_s": time.perf_counter() - start, "passages": len(parsed)}


def store_report(n: int, rounds: int) -> None:
    folder = OUT / f"store-{n}"
    store_generation(folder, n)
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--open-store", str(folder)], capture_output=True,
                                      text=True, check=True).stdout.strip().splitlines()[-1]) for _ in range(rounds)]
    disk = folder_mb(folder / "gen-000001")
    shutil.rmtree(folder, ignore_errors=True)
    median = {key: float(np.median([r[key] for r in runs])) for key in runs[0]}
    print(f"| passages | store open s | parse JSON lines s (before) | fetch a passage + its article ms | "
          f"filter all by title s | on disk MB |\n| --- | --- | --- | --- | --- | --- |\n"
          f"| {n:,} | {median['open_s']:.3f} | {median['jsonl_s']:.2f} | {median['fetch_ms']:.2f} | "
          f"{median['filter_s']:.2f} | {disk:.0f} |")


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also measure 1,000,000 chunks (about 10 minutes)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--qa-only", action="store_true",
                        help="skip the exact-against-HNSW table (at 1M its two builds take most of the run)")
    parser.add_argument("--store", type=int, metavar="N", help="only the passage store, at N passages")
    parser.add_argument("--rounds", type=int, default=3, help="with --store: opens to take the median of")
    parser.add_argument("--open-and-search", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--open-store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.open_store:
        print(json.dumps(open_store(args.open_store)))
        return
    if args.store:
        store_report(args.store, args.rounds)
        return
    if args.open_and_search:
        questions = json.loads(sys.stdin.read())
        print(json.dumps(open_and_search(args.open_and_search, questions)))
        return
    sizes = args.sizes + ([1_000_000] if args.million else [])
    with tempfile.TemporaryDirectory() as tmp:
        chunks, vectors, questions, embedder = base_collection(Path(tmp))
    rng = np.random.default_rng(5)
    questions = random.Random(5).sample(questions, min(args.queries, len(questions)))
    query_vectors = embedder.encode(questions)
    print(f"{len(chunks)} real chunks from {BASE_ARTICLES} generated articles; {len(questions)} questions")
    tradeoffs, qa_rows = {}, {}
    for n in sizes:
        syn_chunks, syn_vectors = synthetic(chunks, vectors, n, rng)
        if not args.qa_only:
            tradeoffs[n] = faiss_tradeoff(syn_vectors, query_vectors)
        folder = OUT / f"search-{n}"
        build = qa_index_at(folder, syn_chunks, syn_vectors)
        del syn_chunks, syn_vectors
        qa_rows[n] = [{**measure_qa(folder, questions), "build_s": build, "written": "whole"}]
        changed = change_index(folder, chunks, vectors, rng)
        row = measure_qa(folder, questions)
        qa_rows[n].append({**row, "build_s": changed,
                           "written": "+1,000 articles " + ("as changes" if row["changes"] else "compacted")})
        shutil.rmtree(folder, ignore_errors=True)
        print(f"{n:,} chunks measured", flush=True)
    if tradeoffs:
        print("\n| chunks | FAISS index | build s | size MB | p50 ms | p95 ms | recall@10 |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
    for n, rows in tradeoffs.items():
        for r in rows:
            print(f"| {n:,} | {r['index']} | {r['build_s']:.1f} | {r['size_mb']:.0f} | {r['p50_ms']:.2f} | "
                  f"{r['p95_ms']:.2f} | {r['recall@10']:.3f} |")
    print("\n| chunks | qa's choice | written | write s | on disk MB (KB/live chunk) | store open s | open with FAISS + "
          "BM25 s | RSS MB | index memory MB (KB/live chunk) | qa search p50 ms | p95 ms | BM25 p50 ms | p95 ms | "
          "dense recall@10 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n, rows in qa_rows.items():
        for r in rows:
            print(f"| {n:,} | {r['kind']} | {r['written']} | {r['build_s']:.1f} | {r['disk_mb']:.0f} "
                  f"({r['disk_mb'] * 1024 / r['passages']:.2f}) | {r['store_open_s']:.3f} | {r['open_s']:.2f} | "
                  f"{r['rss_mb']:.0f} | {r['memory_mb']:.0f} ({r['memory_mb'] * 1024 / r['passages']:.2f}) | "
                  f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['bm25_p50_ms']:.1f} | {r['bm25_p95_ms']:.1f} | "
                  f"{r['recall@10']:.3f} |")


def measure_qa(folder: Path, questions: list[str]) -> dict:
    """Open the qa index at ``folder`` in a new process and search it (``open_and_search``); its size on disk."""
    done = subprocess.run([sys.executable, __file__, "--open-and-search", str(folder)], input=json.dumps(questions),
                          capture_output=True, text=True, check=True)
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "disk_mb": folder_mb(current_generation(folder))}


if __name__ == "__main__":
    main()
