"""Paths as a client sees them: the server's folders are its own business, so no response names them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import QAError
from ..ingest import web

if TYPE_CHECKING:
    from ..api import QA


class Relative:
    """Paths as a client should see them: relative to the index's roots (uploads to the index folder, other files
    to the folder all of them share), never the server's absolute paths; web pages keep their URLs."""

    def __init__(self, qa: QA):
        self.qa, self.key, self.root = qa, None, None

    def __call__(self, path: str) -> str:
        if not path or web.is_url(path):
            return path
        index_dir = self.qa.index_dir.resolve()
        if Path(path).is_relative_to(index_dir):
            return str(Path(path).relative_to(index_dir))
        root = self._root(index_dir)
        if root and Path(path).is_relative_to(root):
            return str(Path(path).relative_to(root))
        return Path(path).name

    def text(self, message: str) -> str:
        """A message (a skip reason) with the server's folders taken out of the paths it names."""
        index_dir = self.qa.index_dir.resolve()
        for folder in (index_dir, self._root(index_dir)):
            if folder is not None and str(folder) != "/":
                message = message.replace(f"{folder}/", "")
        return message

    def _root(self, index_dir: Path) -> Path | None:
        """The folder the index's articles share, worked out again only when the index has changed."""
        try:
            index = self.qa.index
            key = (id(index), len(index.files))
            if key != self.key:
                local = [p for p in index.files if not web.is_url(p) and not Path(p).is_relative_to(index_dir)]
                root = Path(os.path.commonpath(local)) if local else None
                self.key, self.root = key, root.parent if root and len(set(local)) == 1 else root
        except (QAError, ValueError):
            return None
        return self.root
