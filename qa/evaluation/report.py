"""The JSON report of ``qa eval`` as one HTML page to look at: the gate, charts, the refusals and every miss.

The page is a single file that opens offline (CI keeps it as an artifact, a reviewer opens it from disk): styles
are inline, charts are matplotlib figures inlined as SVG with their text drawn as paths (no font, script or
stylesheet is fetched), and every piece of text from the report is HTML-escaped, since questions, answers and
passages come from other people's articles.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError
from ..extras import require
from ..text.quantities import quantities, same
from . import runner


class Raw(str):
    """Markup this module built itself, which the table helper must not escape again."""


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _plain(value: object) -> str:
    return "n/a" if value is None else str(value)


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


# The headline figures of the summary, in the order ``qa eval`` prints them, each with how to show it.
FIGURES: list[tuple[str, str, Callable[[object], str]]] = [
    ("answerable_accuracy", "answerable accuracy", _pct),
    ("unanswerable_accuracy", "unanswerable (refusal) accuracy", _pct),
    ("false_refusal_rate", "false-refusal rate", _pct),
    ("refusal_precision", "refusal precision", _pct),
    ("refusal_recall", "refusal recall", _pct),
    ("recall_at_1", "retrieval recall@1", _pct),
    ("recall_at_5", "retrieval recall@5", _pct),
    ("mrr", "retrieval MRR", _plain),
    ("citation_precision", "citation precision", _pct),
    ("latency_p50", "latency p50", _seconds),
    ("latency_p95", "latency p95", _seconds),
    ("generated_latency_p50", "latency p50 of generated answers", _seconds),
    ("first_token_p50", "first token p50", _seconds),
    ("prompt_tokens_p50", "prompt tokens p50", _plain),
]

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em; color: #222 }
nav a { margin-right: 1em }
table { border-collapse: collapse; margin: .5em 0 1.5em }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top }
td.n { text-align: right; font-variant-numeric: tabular-nums }
.passed { color: #176b2c; font-weight: 600 } .failed { color: #b3261e; font-weight: 600 }
.charts { display: flex; flex-wrap: wrap; gap: 1em } .charts svg { max-width: 100%; height: auto }
article.miss { border-top: 1px solid #ccc; padding: .5em 0 }
article.miss dl { display: grid; grid-template-columns: 11em 1fr; gap: .2em 1em; margin: .5em 0 }
article.miss dt { color: #555 } article.miss dd { margin: 0 }
blockquote.source { white-space: pre-wrap; background: #f6f6f6; margin: .4em 0; padding: .5em .8em; font-size: 13px }
mark { background: #ffe066; padding: 0 .1em }
"""


def load(path: Path) -> dict:
    """A JSON report written by ``qa eval --json-out``, or a one-line error naming the file."""
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read eval report {path}: {exc}") from None
    if not isinstance(report, dict) or not {"summary", "results"} <= report.keys():
        raise InputError(f"{path} is not a report of qa eval --json-out (no summary and results)")
    return report


def require_charts() -> None:
    """The charts are drawn by matplotlib, in the 'report' extra: checked before an eval run of minutes, not after."""
    require("matplotlib", "report", "the eval report page (qa eval --html, qa report)")


def write(path: Path, report: dict, against: dict | None = None) -> None:
    """Render ``report`` (compared with the earlier report ``against``, if given) into the file ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, against), encoding="utf-8")


def render(report: dict, against: dict | None = None) -> str:
    """The whole page. ``report`` is the JSON of ``qa eval --json-out``: model, external, seed, summary, results
    and the thresholds of its gate (reports written before the gate was recorded show none)."""
    summary, results = report["summary"], report["results"]
    title = f"qa eval · {report.get('model', '?')} · {_set_name(report)} · {summary['questions']} questions"
    misses = [r for r in results if not r["correct"]]
    sections = [
        ("gate", "Gate", _gate(summary, report.get("thresholds") or {})),
        ("figures", "Headline figures", _figures(summary, against)),
        ("charts", "Accuracy and latency", _charts(summary, results)),
        ("refusals", "Refusals by signal", _refusals(summary)),
        ("decisions", "Decisions", _decisions(summary)),
        *([("flips", "Flipped questions", _flips(results, against))] if against else []),
        ("misses", f"Misses ({len(misses)})", "".join(_miss(r) for r in misses) or "<p>None.</p>"),
    ]
    nav = " ".join(f'<a href="#{key}">{html.escape(name)}</a>' for key, name, _ in sections)
    body = "".join(f'<section id="{key}"><h2>{html.escape(name)}</h2>{content}</section>'
                   for key, name, content in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><nav>{nav}</nav>{body}</body></html>")


def _set_name(report: dict) -> str:
    external = report.get("external")
    if not external:
        return "own question set"
    return f"{external} (seed {report['seed']})" if report.get("seed") is not None else external


def _table(head: Iterable[str], rows: Iterable[Iterable[object]], numeric: Iterable[int] = ()) -> str:
    """A table with every cell escaped (unless it is ``Raw``); the ``numeric`` columns are right-aligned."""
    right = set(numeric)
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table><tr>{header}</tr>{''.join(_row(row, right) for row in rows)}</table>"


def _row(cells: Iterable[object], right: set[int]) -> str:
    tds = (f'<td{" class=n" if i in right else ""}>{c if isinstance(c, Raw) else html.escape(str(c))}</td>'
           for i, c in enumerate(cells))
    return f"<tr>{''.join(tds)}</tr>"


def _verdict(passed: bool) -> Raw:
    return Raw(f'<span class="{"passed" if passed else "failed"}">{"passed" if passed else "failed"}</span>')


def _gate(summary: dict, thresholds: dict[str, float]) -> str:
    """Each threshold of the gate with the figure it was held against; the figure is read the way
    ``runner.failures`` reads it, so the page and the exit code cannot disagree."""
    if not thresholds:
        return "<p>This report records no thresholds.</p>"
    figures = {name: runner.figure(summary, name) for name in thresholds}
    rows = [(name, _pct(figures[name]), f"≥ {_pct(limit)}", _verdict(figures[name] >= limit))
            for name, limit in thresholds.items()]
    overall = f"<p>The gate {_verdict(not runner.failures(summary, thresholds))}.</p>"
    return overall + _table(("threshold", "figure", "limit", "result"), rows, numeric=(1, 2))


def _figures(summary: dict, against: dict | None) -> str:
    """The summary's headline figures, beside the earlier report's when there is one."""
    before = against["summary"] if against else None
    rows = [(label, show(summary.get(key)), *([show(before.get(key))] if before else []))
            for key, label, show in FIGURES]
    head = ("figure", "this run", *(["against"] if before else []))
    return _table(head, rows, numeric=(1, 2))


def _charts(summary: dict, results: list[dict]) -> str:
    kinds = {k: row for k, row in summary["by_kind"].items() if row["n"]}
    charts = [_bars("accuracy by kind", kinds), _latency([r["timings"]["total"] for r in results], summary)]
    if summary["by_category"]:
        charts.insert(1, _bars("accuracy by category", summary["by_category"]))
    return f'<div class="charts">{"".join(charts)}</div>'


def _svg(figure) -> str:
    """A matplotlib figure as inline SVG: text drawn as paths so no font is needed, no metadata, and the XML
    prolog (with its DTD address) cut, since the SVG sits inside HTML."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "qa-report"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight",
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _canvas(rows: int):
    """A bare ``Figure``, not pyplot: no GUI backend or global state is touched, so rendering is safe anywhere
    (the SVG canvas draws it on save)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(5, 1 + 0.35 * max(rows, 3)), layout="constrained")


def _bars(title: str, rows: dict[str, dict]) -> str:
    """Horizontal accuracy bars, each labelled with its correct/n, so small groups are not over-read."""
    figure = _canvas(len(rows))
    axes = figure.subplots()
    names = list(rows)[::-1]
    accuracies = [100 * (rows[n]["accuracy"] or 0) for n in names]
    bars = axes.barh(names, accuracies, color="#4c78a8")
    axes.bar_label(bars, [f"{rows[n]['correct']}/{rows[n]['n']}" for n in names], padding=3)
    axes.set_xlim(0, 115)
    axes.set_xlabel("% correct")
    axes.set_title(title)
    return _svg(figure)


def _latency(seconds: list[float], summary: dict) -> str:
    """The spread of answer times, with p50 and p95 marked: a refusal before the model is much faster than an
    answer, so a mean would hide both."""
    figure = _canvas(6)
    axes = figure.subplots()
    axes.hist(seconds, bins=min(20, max(len(seconds), 1)), color="#72b7b2", edgecolor="white")
    for percentile, style in (("p50", "-"), ("p95", "--")):
        value = summary.get(f"latency_{percentile}")
        if value is not None:
            axes.axvline(value, color="#333", linestyle=style, label=f"{percentile} {value:.1f} s")
    axes.legend()
    axes.set_xlabel("seconds per question")
    axes.set_ylabel("questions")
    axes.set_title("latency")
    return _svg(figure)


def _refusals(summary: dict) -> str:
    rows = [(signal, row["refusals"], row["wrong"]) for signal, row in summary["refusals"].items()]
    if not rows:
        return "<p>No question was refused.</p>"
    return _table(("signal", "refusals", "of them answerable (wrong)"), rows, numeric=(1, 2))


def _decisions(summary: dict) -> str:
    rows = [(name, row["n"], row["right"], _pct(row["right"] / row["n"])) for name, row in summary["decisions"].items()]
    return _table(("decision", "questions", "right", "accuracy"), rows, numeric=(1, 2, 3))


def flips(results: list[dict], earlier: list[dict]) -> dict[str, list[tuple[dict, dict]]]:
    """(earlier, now) result pairs of the questions, matched by id, whose correctness changed, each way."""
    before = {r["id"]: r for r in earlier}
    pairs = [(before[r["id"]], r) for r in results if r["id"] in before and before[r["id"]]["correct"] != r["correct"]]
    return {"right → wrong": [(old, new) for old, new in pairs if old["correct"]],
            "wrong → right": [(old, new) for old, new in pairs if new["correct"]]}


def _flips(results: list[dict], against: dict) -> str:
    earlier = against["results"]
    ids, old_ids = {r["id"] for r in results}, {r["id"] for r in earlier}
    parts = [f"<p>Matched by question id: {len(ids & old_ids)} in both reports, {len(ids - old_ids)} only in this "
             f"run, {len(old_ids - ids)} only in the earlier one.</p>"]
    for name, pairs in flips(results, earlier).items():
        rows = [(new["id"], new["question"], _expected(new), _answer(old), _answer(new)) for old, new in pairs]
        head = ("id", "question", "expected", "earlier answer", "this answer")
        parts.append(f"<h3>{html.escape(name)} ({len(rows)})</h3>" + (_table(head, rows) if rows else "<p>None.</p>"))
    return "".join(parts)


def _expected(result: dict) -> str:
    return " | ".join(result["gold"]) or "(none: the articles don't say, so a refusal is right)"


def _answer(result: dict) -> str:
    return f"refused ({result['refusal']}): {result['answer']}" if result["refused"] else result["answer"]


def _miss(r: dict) -> str:
    """One wrong answer with what it was asked, what was expected, what came back and why, and the passages the
    model was shown with the expected answer marked: a mark means the answer was there to be found."""
    details = [("question", r["question"]), ("expected", _expected(r)), ("answer given", r["answer"]),
               ("refusal", f"{r['refusal']}: {r['refusal_reason']}" if r["refused"] else "none"),
               *([("calculation", "; ".join(r["calculations"]))] if r["calculations"] else []),
               *([("draft", r["draft"])] if r["draft"] and r["draft"] != r["answer"] else [])]
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in details)
    sources = [highlight(text, r["gold"]) for text in r["shown"]]
    found = sum("<mark>" in s for s in sources)
    quoted = "".join(f'<blockquote class="source">{s}</blockquote>' for s in sources)
    label = f"{len(sources)} sources shown, the expected answer in {found}"
    heading = html.escape(" · ".join(filter(None, (r["id"], r["kind"], r["category"]))))
    return (f'<article class="miss" id="q-{html.escape(r["id"])}"><h3>{heading}</h3><dl>{items}</dl>'
            f'<details{" open" if found else ""}><summary>{label}</summary>{quoted}</details></article>')


def highlight(text: str, answers: list[str]) -> str:
    """``text`` escaped, with each place an expected answer occurs in ``<mark>``: the figure wherever a figure
    of the same value is written (by the scorer's rule, so "$6.7bn" marks "6,710 million dollars"), and the
    answer's words wherever they occur, ignoring case."""
    spans = [(m.start(), m.end()) for a in answers if a.strip()
             for m in re.finditer(re.escape(a.strip()), text, re.IGNORECASE)]
    golds = [q for a in answers for q in quantities(a) if not q.is_year()]
    spans += [(q.start, q.end) for q in quantities(text) if any(same(q, g) for g in golds)]
    out, at = [], 0
    for start, end in _merged(spans):
        out += [html.escape(text[at:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        at = end
    return "".join(out) + html.escape(text[at:])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined, in order, so no mark is nested in another or cuts one in two."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
