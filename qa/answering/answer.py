"""choose -> copy (or compute) -> check -> Answer.

The model chooses; qa copies and computes. Its first decision is read from its next-token distribution in the
forward pass that reads the prompt: copy words of one of the sentences shown, none, or a calculation
(``LLM.choose``). A copy is decoded under a constraint that allows only words of a sentence, so figures and names
come out as the source writes them, and the sentence that holds them is the one cited. A calculation goes to
the computing step, where the model names an operation and figures from typed lists (``qa.answering.figures``)
and qa does the arithmetic over the figures as their sources state them (``qa.answering.calculation``).

Choosing a sentence by its letter first, then copying from it, was measured and dropped: the 1.5B model
favoured the first letters (benchmarks/README.md).

Refusal is decided by signals that hold on articles and questions this team did not write, each calibrated on
one seed of external sets and reported on others (benchmarks/README.md):

- retrieval confidence: the best passage's cosine to the question;
- a name or year of the question that none of the articles read mentions, anywhere in them (not only in the
  sentences shown: an article names its subject in full once);
- the first decision: "none" chosen, or for a copy too much probability on "none" or no option clearly ahead;
- the answer side: a copy must add something the question does not already say; a calculation must name an
  operation and figures that were shown ("none" is one of its choices) whose units agree.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from ..llms import LLM
from ..retrieval.context import Context
from ..settings import AnswerSettings
from . import calculation, figures, grounding, prompts
from .calculation import CalculationError
from .checks import Checked, Decision, check_copy
from .messages import article_headers, choosing_messages, operating_messages
from .records import Answer, Asked, Citation, Refusal


def generate(asked: Asked, context: Context, llm: LLM, settings: AnswerSettings) -> Iterator[str | Answer]:
    """Stream answer text, then yield the final Answer, whose text is authoritative: it may be a refusal.

    The model's first decision is read from its distribution at the reply's first token: copy words of a
    sentence, none, or calculate (``LLM.choose``). A copy is decoded so that it can only be words of a sentence;
    a calculation goes to the computing step (``_operated``)."""
    question, searched, started = asked.question, asked.searched, asked.started
    timings = {"retrieval": round(asked.retrieval_seconds, 4)}
    best = max((p.similarity for p in context.shown), default=None)
    confidence: dict[str, float | None] = {"similarity": best, "none_probability": None, "choice_probability": None,
                                           "calculate_probability": None}

    def finish(checked: Checked, draft: str = "", tokens: int | None = None, route: str = "") -> Answer:
        timings["total"] = round(time.perf_counter() - started, 4)
        timings.setdefault("first_token", timings["total"])
        signal, reason = checked.refusal or (None, "")
        return Answer(question=question, answer=prompts.REFUSAL if signal else checked.text, refused=bool(signal),
                      citations=[] if signal else checked.citations, model=llm.name, timings=timings,
                      searched=searched, refusal=signal, refusal_reason=reason, prompt_tokens=tokens, draft=draft,
                      confidence=confidence, calculations=[] if signal else checked.calculations,
                      passages=context.shown, route="" if signal else route)

    if best is None or not context.sentences:
        yield finish(Checked.refuse(Refusal.NO_PASSAGE, "no passage matched"))
        return
    if best < settings.min_relevance:
        yield finish(Checked.refuse(Refusal.LOW_RELEVANCE, f"best passage cosine {best:.2f} is below "
                                                           f"{settings.min_relevance:.2f}"))
        return
    missing = grounding.uncovered_terms(searched, " ".join(a.searchable() for a in context.articles))
    if missing:
        yield finish(Checked.refuse(Refusal.UNCOVERED, f"the articles never mention {', '.join(missing)}"))
        return
    messages = choosing_messages(searched, context)
    sentences = [s for _, s in context.sentences]
    # a yes-or-no question is not offered the computing step (figures.asks_yes_or_no)
    options = [prompts.NONE] if figures.asks_yes_or_no(searched) else [prompts.NONE, prompts.CALCULATE]
    choice = llm.choose(messages, sentences, options, settings.max_tokens)
    decision = Decision.read(choice.odds, settings)
    timings["choice"] = round(time.perf_counter() - started, 4)
    confidence.update(none_probability=round(decision.none, 4), choice_probability=round(decision.probability, 4),
                      calculate_probability=round(choice.odds.get(prompts.CALCULATE, 0.0), 4))
    tokens = llm.count_tokens("".join(m["content"] for m in messages))
    refusal = decision.refusal(settings)
    if refusal:
        yield finish(Checked(text="", refusal=refusal), decision.choice, tokens)
        return
    if decision.choice == prompts.CALCULATE:
        yield finish(*_operated(asked.searched, context, llm, settings))
        return
    pieces: list[str] = []
    for piece in choice.pieces:
        timings.setdefault("first_token", round(time.perf_counter() - started, 4))
        pieces.append(piece)
        yield piece
    draft = "".join(pieces)
    yield finish(check_copy(draft, question, context), draft, tokens, "copy")


def _operated(question: str, context: Context, llm: LLM, settings: AnswerSettings
              ) -> tuple[Checked, str, int | None, str]:
    """The computing step: the model names an operation and figures marked in the sentences shown
    (``qa.answering.figures``), and qa computes it over the figures as their sources state them. Returns what the
    checks made of it, the model's reply, the prompt's length and the route ("copy" for a figure as stated)."""
    shown = figures.marked(context, article_headers(context))
    if len(shown.figures) < 2:
        return Checked.refuse(Refusal.CALCULATION, "fewer than two figures in the sentences shown"), "", None, ""
    messages = operating_messages(question, shown.lines)
    operations = figures.named(question, "\n".join(shown.lines))
    reply = llm.follow(messages, figures.grammar(shown.figures, operations), max_tokens=48)
    tokens = llm.count_tokens("".join(m["content"] for m in messages))
    if figures.declines(reply):
        return Checked.refuse(Refusal.SENTINEL, "the model found no figures to compute it from"), reply, tokens, ""
    try:
        chosen = figures.read(reply, shown.figures)
        worked = calculation.over_figures(chosen.operation.name, chosen.operation.expression(len(chosen.figures)),
                                          [(f.quantity, f.sentence, f.passage) for f in chosen.figures],
                                          calculation.asked_places(question), calculation.asked_scale(question))
    except (figures.ChoiceError, CalculationError) as exc:
        return Checked.refuse(Refusal.CALCULATION, str(exc)), reply, tokens, ""
    cited = list(dict.fromkeys(f.passage for f in chosen.figures))
    marks = "".join(f"[{n}]" for n in cited)
    citations = [Citation(n, context.shown[n - 1]) for n in cited]
    if chosen.operation.name == "stated":  # the answer is a figure as a sentence states it: nothing to work out
        return Checked(f"{worked.result} {marks}", citations, [worked]), reply, tokens, "copy"
    text = f"{chosen.operation.name.capitalize()}: {worked.result} {marks}. Working: {worked.working}."
    return Checked(text, citations, [worked]), reply, tokens, "compute"
