"""Checks that hold an answer to its sources, independent of what the model claims.

Small models invent figures and names, and none of the local ones reliably says "I don't know", so an
answer's figures and names are looked up in the sources it cites. Figures are compared as quantities
(``qa.quantities``), so "12.5 mln dlrs" supports "$12.5 million".
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..text.names import key_terms, names
from ..text.quantities import quantities, same, stated_exponent

_CITATION = re.compile(r"\[(\d+)\]")


def strip_citations(text: str) -> str:
    return _CITATION.sub("", text)


def cited_numbers(text: str) -> list[int]:
    return [int(n) for n in _CITATION.findall(text)]


def unsupported_figures(answer: str, evidence: str, question: str = "") -> list[str]:
    """Figures of ``answer`` that neither the evidence nor the question states; a bare figure of the evidence
    under a units line ("in thousands") also supports the figure with that scale ("$1,150 thousand")."""
    stated = quantities(evidence)
    scaled = [replace(q, exponent=e) for q in stated if (e := stated_exponent(q, evidence)) != q.exponent]
    have = stated + scaled + quantities(question)
    return [str(q) for q in quantities(strip_citations(answer)) if not any(same(q, h) for h in have)]


def unsupported_names(answer: str, evidence: str, question: str = "") -> list[str]:
    """Names in ``answer`` that neither the evidence nor the question contains."""
    lowered = f"{evidence} {question}".lower()
    return sorted(n for n in names(answer) if n.lower() not in lowered)


def uncovered_terms(question: str, sources: str) -> list[str]:
    """Names and years the question asks about that the sources never mention: a question about Netflix put
    to articles that never name it, or about 2023 to articles about 2024. Other words of the question are not
    looked for: questions paraphrase them ("belong", "now hold"), names and years they cannot."""
    lowered = sources.lower()
    return sorted(t for t in key_terms(question) if t.lower() not in lowered and not _named_in(t, lowered))


def _named_in(term: str, lowered: str) -> bool:
    """A hyphenated compound ("Texaco-led") is covered by its names ("Texaco"): the compound is the question's
    wording, the name is what a source must mention."""
    parts = [p.lower() for p in term.split("-") if p[:1].isupper()]
    return "-" in term and bool(parts) and all(p in lowered for p in parts)
