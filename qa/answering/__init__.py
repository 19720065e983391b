"""Passages to an answer: prompts, generation, the checks against the sources, calculations."""
