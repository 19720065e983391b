"""``qa serve``: an OpenAI-compatible HTTP API with checked citations, qa's own endpoints and a web page.

One process, one ``QA``, the model loaded once. Requests that need the model take turns (``gate``): one runs, up to
``queue`` wait, and more get 503 with Retry-After. Answers are generated whole and checked before a word is sent,
also when streaming (``answers``, ``completions``). ``app.create_app`` wires the parts: the guard (key, sizes, the
request log), the error mapping, the state the routes take as dependencies, and one router a group of routes.
"""

from .app import create_app
from .guard import is_loopback

__all__ = ["create_app", "is_loopback"]
