"""Spotting articles that try to instruct the model instead of reporting news.

Sources go to the model as quoted data, but a small model still obeys a confident "Ignore all previous
instructions". An article that addresses AI assistants, imitates chat-template tokens or qa's own source
blocks, or stages a question-and-answer exchange is flagged at ingest: it stays searchable but is never used
to answer.
"""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts|rules)"
    r"|disregard (?:all |the |any |previous |prior )+(?:instructions|sources|rules|context)"
    r"|<\|[a-z_]+\|>|\[/?INST\]|<</?SYS>>"
    r"|(?:^|\n)\s*(?:system|assistant|user)\s*:"
    r"|(?:note|message|instructions?) (?:to|for) (?:all )?(?:ai|llms?|language models?|chatbots?|assistants?)"
    r"|assistant instructions"
    r"|(?:answer|reply|respond|say) [^.\n]{0,60}(?:to|for) (?:every|all|any) questions?"
    r"|always (?:answer|reply|respond)|you must (?:answer|reply|say|respond)|(?:reply|respond) that"
    r"|i (?:instruct|order|command) you|as (?:the|your) system administrator"
    r"|(?:^|\n)\s*(?:<<<|>>>)\s*(?:\n|$)|(?:^|\n)\s*\[\d+\] [^\n]+\(\d{4}-\d{2}-\d{2}, "
    r"|(?:^|\n)\s*answer\s*:",
    re.I,
)


def injection_reason(text: str) -> str:
    """The first instruction-like passage of ``text`` (shortened), or '' when there is none."""
    match = _INJECTION.search(text)
    return " ".join(match.group(0).split())[:60] if match else ""
