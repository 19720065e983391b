"""Checks of a question against the articles read, independent of what the model claims: a name or year the
question asks about that no article mentions means the articles cannot answer it. (An answer cannot invent
a figure or a name: it is copied from a sentence or computed from marked figures.)
"""

from __future__ import annotations

import re

from ..text.names import key_terms


def uncovered_terms(question: str, sources: str) -> list[str]:
    """Names and years the question asks about that the sources never mention: a question about Netflix put
    to articles that never name it, or about 2023 to articles about 2024. Other words of the question are not
    looked for: questions paraphrase them ("belong", "now hold"), names and years they cannot."""
    lowered = sources.lower()
    mentioned = lambda term: term.lower() in lowered or _named_in(term, lowered)  # noqa: E731
    aliases = _aliases(question)
    return sorted(t for t in key_terms(question)
                  if not mentioned(t) and not any(mentioned(a) for a in aliases.get(t.lower(), ())))


# "Block (formerly known as Square)", "Meta (formerly Facebook)": a renamed company's filings carry the old name
_ALIAS = re.compile(r"([A-Z][\w&.-]*(?: [A-Z][\w&.-]*)*?)(?:'s)? \((?:formerly|previously|now|also)"
                    r"(?: known as| called)? ([A-Z][^)]*)\)")


def _aliases(question: str) -> dict[str, tuple[str, ...]]:
    """Each name of a renamed company, lowered, with the names it goes by otherwise: either is a mention."""
    aliases: dict[str, tuple[str, ...]] = {}
    for match in _ALIAS.finditer(question):
        one, other = match.group(1), match.group(2).strip()
        aliases[one.lower()] = (*aliases.get(one.lower(), ()), other)
        aliases[other.lower()] = (*aliases.get(other.lower(), ()), one)
    return aliases


def _named_in(term: str, lowered: str) -> bool:
    """A hyphenated compound ("Texaco-led") is covered by its names ("Texaco"): the compound is the question's
    wording, the name is what a source must mention."""
    parts = [p.lower() for p in term.split("-") if p[:1].isupper()]
    return "-" in term and bool(parts) and all(p in lowered for p in parts)
