"""The public Python API. The CLI, the chat and the evaluation are thin layers over ``QA``."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterator
from pathlib import Path

from .answering.answer import generate
from .answering.messages import choosing_messages
from .answering.records import Answer, Asked
from .embedding import get_embedder
from .errors import InputError
from .ingest import web
from .ingest.pipeline import IngestReport, ingest
from .llms import LLM, get_llm
from .retrieval.context import Context
from .retrieval.retriever import Retriever
from .retrieval.search import Found, Passage
from .settings import Settings
from .store import open_store, store_class
from .store.base import Store
from .store.filters import Filters

MAX_QUESTION_CHARS = 2000


class QA:
    """Question answering over one index folder.

    >>> qa = QA.build(["corpus"])                     # or QA() to open the default index
    >>> qa.search("Alibaba net income December 2024")[0].title
    """

    def __init__(self, index: str | Path | None = None, settings: Settings | None = None, llm: str | None = None):
        """``settings`` default to ``Settings.load()`` (the environment); ``index`` and ``llm`` override theirs."""
        changes = {"index.path": Path(index)} if index is not None else {}
        if llm is not None:
            changes["llm.spec"] = llm
        # a copy: the caller's Settings stay as they were, whatever this QA is told later
        self.settings = (settings or Settings.load()).updated(changes)
        self._retriever: Retriever | None = None
        self._llm = None

    @classmethod
    def build(cls, paths: list[str | Path], index: str | Path | None = None, **kwargs) -> "QA":
        """Ingest ``paths`` into ``index`` (created if needed) and return a QA over it."""
        qa = cls(index=index, **kwargs)
        qa.ingest(paths)
        return qa

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir()

    @property
    def store_name(self) -> str:
        """Where the passages are, for messages: the index folder, or the Milvus store's address."""
        spec = self.settings.index.store
        return store_class(spec).describe(spec, self.index_dir)

    def has_store(self) -> bool:
        """Whether an ingest has written the store yet: a first chat builds one from the bundled articles."""
        spec = self.settings.index.store
        return store_class(spec).for_update(spec, self.index_dir) is not None

    @property
    def embedder(self):
        return get_embedder(self.settings.index.embedding_model, precision=self.settings.index.embed_precision,
                            onnx_dir=self.settings.models_dir())

    @property
    def index(self) -> Store:
        """The passage store (the live index generation by default), opened on first use and checked against the
        embedding model."""
        return self.retriever.store

    @property
    def retriever(self) -> Retriever:
        """Search and context selection over the open store, built when the store is opened (again after an
        ingest)."""
        if self._retriever is None:
            store = open_store(self.settings.index.store, self.index_dir)
            store.check_embedder(self.embedder.name, self.embedder.dim)
            self._retriever = Retriever(store, self.embedder, self.settings.retrieval)
        return self._retriever

    def ingest(self, paths: list[str | Path], rebuild: bool = False,
               progress: Callable[[int, int], None] | None = None,
               warn: Callable[[str], None] | None = None, refresh: bool = False,
               ray: str | None = None) -> IngestReport:
        """Add, update and remove articles so the index matches ``paths`` (files, folders, http(s) URLs);
        ``refresh`` fetches every ingested page again; ``ray`` is a Ray cluster's address to read and embed on
        ('' for a local one). See ``qa.ingest.pipeline.ingest``."""
        urls = [str(p) for p in paths if web.is_url(str(p))]
        report = ingest([Path(p) for p in paths if not web.is_url(str(p))], self.index_dir, self.embedder,
                        self.settings.index, urls=urls, refresh=refresh, rebuild=rebuild, progress=progress,
                        warn=warn, ray=ray)
        self._retriever = None
        self.embedder.export_onnx()  # quick queries from now on (once; torch is usually loaded by now)
        return report

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str = "hybrid") -> list[Passage]:
        """Ranked passages for ``query`` from hybrid (dense + BM25) retrieval."""
        return self._found(query, k, filters, mode).passages

    def _found(self, query: str, k: int | None = None, filters: Filters | None = None,
               mode: str = "hybrid") -> Found:
        query = check_question(query)
        if k is not None and k < 1:
            raise InputError(f"-k must be a positive number of passages, not {k}")
        return self.retriever.search(query, k=k, filters=filters, mode=mode)

    @property
    def llm(self) -> LLM:
        """The configured backend, loaded on first use (a local model loads once per process)."""
        if self._llm is None:
            self._llm = get_llm(self.settings.llm.spec, self.settings)
        return self._llm

    def use_llm(self, spec: str) -> None:
        """Switch backends; the new one is checked (and loaded) now so a bad spec fails here."""
        llm = get_llm(spec, self.settings)
        self.settings.llm.spec, self._llm = spec, llm

    def stream(self, question: str, filters: Filters | None = None, searched: str | None = None,
               passages: int | None = None) -> Iterator[str | Answer]:
        """Yield pieces of the answer as they are generated, then the final ``Answer``.

        ``searched`` is the question to retrieve with (a chat's standalone rewrite); it defaults to ``question``.
        """
        question = check_question(question)
        searched = check_question(searched) if searched else question
        with ThreadPoolExecutor(max_workers=1) as pool:
            ready = pool.submit(self.ready_llm)  # llama.cpp loads with the GIL released: overlap retrieval
            start = time.perf_counter()
            found = self._found(searched, k=passages or self.settings.retrieval.context_passages, filters=filters)
            context = self.retriever.context(found)
            asked = Asked(question, searched, start, time.perf_counter() - start)
            llm = ready.result()
        yield from generate(asked, context, llm, self.settings.answer)

    def ready_llm(self) -> LLM:
        """The backend, loaded, holding the answer prompt's fixed opening (see ``LLM.prepare``)."""
        llm = self.llm
        llm.prepare(choosing_messages("", Context([], [])))
        return llm

    def ask(self, question: str, filters: Filters | None = None, **kwargs) -> Answer:
        """A short answer citing its sources as [1], [2], or the fixed refusal when the articles don't say."""
        for item in self.stream(question, filters=filters, **kwargs):
            if isinstance(item, Answer):
                return item
        raise AssertionError("generate() always ends with an Answer")


def check_question(text: str) -> str:
    """Reject questions no search could use: empty, absurdly long, or made of control characters."""
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text or "").strip()
    if not cleaned:
        raise InputError("the question is empty")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(cleaned):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return cleaned
