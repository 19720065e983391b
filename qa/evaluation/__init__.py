"""Answer-accuracy evaluation: deterministic scorers (no LLM judge) and the runner behind ``qa eval``."""
