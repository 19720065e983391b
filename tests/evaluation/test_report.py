"""The HTML page of an eval report: built from a small hand-made report, read as text, and once in Chromium."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.evaluation.report import flips, highlight, render
from qa.evaluation.runner import Result, summarise

NET_INCOME = "What was Alibaba's net income in the quarter ended December 2024?"


def result(id: str, kind: str, correct: bool, answer: str, gold: list[str], shown: list[str] = (), refusal: str = "",
           reason: str = "", category: str = "", total: float = 2.0, question: str = "") -> Result:
    """A scored question with only what the page shows filled in; ``refusal`` names the signal of a refusal."""
    return Result(id=id, kind=kind, category=category, question=question or f"Question {id}?", gold=gold,
                  answer=answer, correct=correct, refused=bool(refusal), refusal=refusal or None, refusal_reason=reason,
                  draft="", confidence={}, calculations=[], shown=list(shown), exact_match=correct, f1=float(correct),
                  citations=[], timings={"total": total, "first_token": total / 2}, prompt_tokens=100,
                  route="" if refusal else "copy")


def report(results: list[Result], thresholds: dict[str, float] | None = None) -> dict:
    """What ``qa eval --json-out`` writes, through JSON and back as the page reads it."""
    return json.loads(json.dumps({"model": "tiny", "external": None, "seed": None, "thresholds": thresholds or {},
                                  "summary": summarise(results), "results": [r.to_dict() for r in results]}))


RESULTS = [
    result("n1", "numeric", False, "Net income was 40.1 billion yuan [1].", ["48.9 billion yuan"], category="computed",
           shown=["Alibaba reported net income of RMB48.9 billion (US$6.7 billion).", "Revenue rose 8%."],
           question=NET_INCOME, total=7.5),
    result("n2", "numeric", True, "$6.71 billion [1]", ["$6.71 billion"], category="computed", total=5.0),
    result("t1", "text", False, "The articles don't say.", ["Eddie Wu"], refusal="uncovered",
           reason="the articles never mention chief executive", shown=["Chief executive Eddie Wu <b>said</b>."]),
    result("u1", "unanswerable", False, "Tencent earned 12 billion [1].", [], shown=["Tencent said nothing."]),
    result("u2", "unanswerable", True, "The articles don't say.", [], refusal="sentinel", reason="the model said so"),
]
PAGE = render(report(RESULTS, {"answerable_accuracy": 0.3, "unanswerable_accuracy": 0.6}))


@pytest.mark.unit
def test_the_page_holds_the_gate_the_charts_and_the_tables():
    gate = PAGE[PAGE.index('id="gate"'):PAGE.index('id="figures"')]
    assert re.search(r"answerable_accuracy</td><td class=n>33\.3%</td><td class=n>≥ 30\.0%</td><td>.*?passed", gate)
    assert re.search(r"unanswerable_accuracy</td><td class=n>50\.0%</td><td class=n>≥ 60\.0%</td><td>.*?failed", gate)
    assert "The gate <span class=\"failed\">" in gate
    assert PAGE.count("<svg") == 3  # by kind, by category, latency
    assert "<td>uncovered</td><td class=n>1</td><td class=n>1</td>" in PAGE  # refused, and it was answerable
    assert "<td>answered: copy</td><td class=n>3</td><td class=n>1</td><td class=n>33.3%</td>" in PAGE
    assert "Flipped questions" not in PAGE  # nothing to compare with


@pytest.mark.unit
def test_every_miss_shows_question_answers_refusal_and_sources_with_the_expected_answer_marked():
    misses = PAGE[PAGE.index('id="misses"'):]
    assert misses.count('<article class="miss"') == 3 and 'id="q-n2"' not in misses
    n1 = misses[misses.index('id="q-n1"'):misses.index('id="q-t1"')]
    assert "What was Alibaba&#x27;s net income" in n1 and "48.9 billion yuan" in n1 and "40.1 billion yuan" in n1
    assert "<mark>RMB48.9 billion</mark> (US$6.7 billion)" in n1  # the same figure, written another way
    assert "2 sources shown, the expected answer in 1" in n1 and "<details open>" in n1
    t1 = misses[misses.index('id="q-t1"'):misses.index('id="q-u1"')]
    assert "uncovered: the articles never mention chief executive" in t1
    assert "Chief executive <mark>Eddie Wu</mark> &lt;b&gt;said&lt;/b&gt;." in t1  # a passage's markup is text
    assert "a refusal is right" in misses[misses.index('id="q-u1"'):]


@pytest.mark.unit
def test_the_page_fetches_nothing_and_runs_no_script():
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", PAGE, re.I)
    assert not re.search(r"<script|<link|<iframe|<img|@import|url\(\s*['\"]?https?:", PAGE, re.I)


@pytest.mark.unit
def test_text_from_the_report_is_escaped_everywhere():
    hostile = result("<x>", "text", False, "<script>alert(1)</script>", ["<i>"], shown=["an <i> tag"],
                     question="<img src=https://evil.example/x>", category="<c>")
    page = render(report([hostile]))
    assert "<script" not in page and "<img" not in page and "<i>" not in page
    assert "an <mark>&lt;i&gt;</mark> tag" in page


@pytest.mark.unit
def test_highlight_marks_figures_by_value_and_words_ignoring_case():
    assert highlight("Revenue was 6,710 million dollars, up from $6.1 billion.", ["$6.7bn"]) == (
        "Revenue was <mark>6,710 million dollars</mark>, up from $6.1 billion.")
    assert highlight("EDDIE WU & eddie wu", ["Eddie Wu"]) == "<mark>EDDIE WU</mark> &amp; <mark>eddie wu</mark>"
    assert highlight("cut by 25 bps in 2025", ["0.25%", "2025"]) == "cut by <mark>25 bps</mark> in <mark>2025</mark>"
    assert highlight("Joe Tsai, chairman", ["Joe Tsai", "Tsai, chairman"]) == "<mark>Joe Tsai, chairman</mark>"
    assert highlight("nothing here", []) == "nothing here"


@pytest.mark.unit
def test_questions_that_flipped_are_shown_both_ways_matched_by_id():
    earlier = [result("n1", "numeric", True, "48.9 billion yuan [1]", ["48.9 billion yuan"]),
               result("n2", "numeric", False, "$5 billion", ["$6.71 billion"]),
               result("t1", "text", False, "wrong", ["Eddie Wu"]), result("gone", "text", True, "x", ["x"])]
    now = report(RESULTS)
    changed = flips(now["results"], report(earlier)["results"])
    assert [(old["id"], new["id"]) for old, new in changed["right → wrong"]] == [("n1", "n1")]
    assert [new["id"] for _, new in changed["wrong → right"]] == ["n2"]
    page = render(now, report(earlier))
    section = page[page.index('id="flips"'):page.index('id="misses"')]
    assert "3 in both reports, 2 only in this run, 1 only in the earlier one" in section
    assert "right → wrong (1)" in section and "wrong → right (1)" in section
    assert "<td>n1</td><td>What was Alibaba&#x27;s net income" in section
    assert "<td>$6.71 billion</td><td>$5 billion</td><td>$6.71 billion [1]</td>" in section  # expected, then, now
    figures = page[page.index('id="figures"'):page.index('id="charts"')]
    assert "<th>against</th>" in figures  # 2 of 4 answerable right before, 1 of 3 now:
    assert "answerable accuracy</td><td class=n>33.3%</td><td class=n>50.0%</td>" in figures


@pytest.mark.unit
def test_qa_report_renders_a_saved_report_beside_it_and_names_a_bad_one(tmp_path):
    saved = tmp_path / "latest.json"
    saved.write_text(json.dumps(report(RESULTS)))
    done = CliRunner().invoke(app, ["report", str(saved), "--against", str(saved)])
    assert done.exit_code == 0, done.output
    page = (tmp_path / "latest.html").read_text()
    assert "Flipped questions" in page and "right → wrong (0)" in page and "This report records no thresholds" in page
    (tmp_path / "bad.json").write_text('{"summary": {}}')
    done = CliRunner().invoke(app, ["report", str(tmp_path / "bad.json")])
    assert done.exit_code != 0 and "not a report of qa eval --json-out" in done.output


def test_the_page_renders_offline_in_chromium(tmp_path):
    """In headless Chromium, from a file: the charts and tables are drawn, nothing is requested but the page
    itself, and a screenshot is taken to look at."""
    from test_serve import launched_chromium

    path = tmp_path / "report.html"
    path.write_text(render(report(RESULTS, {"answerable_accuracy": 0.3}), report(RESULTS[:2])))
    with launched_chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(path.as_uri())
        assert page.locator("svg").count() == 3
        assert all(box["width"] > 200 for box in (page.locator("svg").nth(i).bounding_box() for i in range(3)))
        assert page.locator("#gate tr").count() == 2 and page.locator("#decisions tr").count() == 4
        assert page.locator("article.miss").count() == 3
        assert page.locator("#misses mark").all_inner_texts() == ["RMB48.9 billion", "Eddie Wu"]
        page.screenshot(path=tmp_path / "report.png", full_page=True)
    assert requested == [path.as_uri()]
    assert (tmp_path / "report.png").stat().st_size > 10_000
