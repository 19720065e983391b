"""The ``qa`` command: a thin layer over ``qa.QA``. User mistakes become one line on stderr and an exit code."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from .api import QA
from .errors import QAError
from .search import Filters
from .settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Answers with citations from a folder of news and earnings articles.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

IndexOpt = Annotated[Optional[Path], typer.Option("--index", help="Index folder [env QA_INDEX; default ~/.qa/index].")]
SourceOpt = Annotated[Optional[str], typer.Option("--source", help="Only articles from this source.")]
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="Only articles dated on or after YYYY-MM-DD.")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", help="Only articles dated on or before YYYY-MM-DD.")]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="Only articles whose title contains this text.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


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


def make_qa(index: Path | None, llm: str | None = None) -> QA:
    return QA(index=index, settings=Settings(), llm=llm)


def make_filters(source, since, until, title) -> Filters:
    return Filters(source=source, date_from=since, date_to=until, title=title)


@app.command("ingest")
@user_errors
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders of .md, .txt and .html articles.")],
    index: IndexOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start a fresh index instead of updating.")] = False,
):
    """Add articles to the index; unchanged files are skipped, changed ones replaced, deleted ones dropped."""
    qa = make_qa(index)
    report = run_ingest(qa, paths, rebuild)
    out.print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped; "
        f"index {qa.index_dir} holds {report.total_files} articles in {report.total_chunks} passages"
    )


def run_ingest(qa: QA, paths: list[Path], rebuild: bool = False):
    """Ingest with a progress bar on stderr and a one-line warning per skipped file."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, transient=True) as bar:
        task = bar.add_task("embedding passages", total=None)
        return qa.ingest(
            paths, rebuild=rebuild,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            warn=lambda message: err.print(f"[yellow]warning:[/yellow] {escape(message)}"),
        )


@app.command("search")
@user_errors
def search_command(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", help="Number of passages.")] = 5,
    index: IndexOpt = None, json_output: JsonOpt = False,
    source: SourceOpt = None, since: SinceOpt = None, until: UntilOpt = None, title: TitleOpt = None,
):
    """Print the passages that best match QUERY (dense and BM25 rankings fused)."""
    passages = make_qa(index).search(query, k=k, filters=make_filters(source, since, until, title))
    if json_output:
        out.print_json(json.dumps([p.to_dict() for p in passages], ensure_ascii=False))
        return
    if not passages:
        out.print("no passages match")
    for p in passages:
        out.print(f"[bold]{p.rank}. {escape(p.title)}[/bold]  [dim]{p.date} · {escape(p.source)} · "
                  f"score {p.score:.4f}[/dim]")
        out.print(f"   {escape(p.text)}\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
