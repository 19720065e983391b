"""Paths as a client sees them, over a stand-in index: never the server's folders, web pages as their URLs."""

from types import SimpleNamespace

import pytest

from qa.errors import IndexStateError
from qa.server.paths import Relative

pytestmark = pytest.mark.unit


class Index:
    def __init__(self, files):
        self.files = dict.fromkeys(files, "hash")


def relative(tmp_path, files) -> Relative:
    return Relative(SimpleNamespace(index_dir=tmp_path / "idx", index=Index(files)))


def test_articles_are_shown_from_the_folder_they_share(tmp_path):
    paths = relative(tmp_path, ["/srv/news/a.md", "/srv/news/2025/b.md", "https://example.com/c"])
    assert paths("/srv/news/a.md") == "a.md" and paths("/srv/news/2025/b.md") == "2025/b.md"
    assert paths("https://example.com/c") == "https://example.com/c" and paths("") == ""
    assert paths("/elsewhere/secret/d.md") == "d.md"


def test_uploads_are_shown_from_the_index_folder(tmp_path):
    paths = relative(tmp_path, ["/srv/news/a.md"])
    assert paths(str((tmp_path / "idx" / "uploads" / "u.md").resolve())) == "uploads/u.md"


def test_a_single_article_is_shown_from_its_folder(tmp_path):
    assert relative(tmp_path, ["/srv/news/a.md"])("/srv/news/a.md") == "a.md"


def test_messages_lose_the_servers_folders(tmp_path):
    paths = relative(tmp_path, ["/srv/news/a.md", "/srv/news/b.md"])
    index_dir = (tmp_path / "idx").resolve()
    message = f"same content as {index_dir}/uploads/x.md and /srv/news/a.md"
    assert paths.text(message) == "same content as uploads/x.md and a.md"


def test_the_shared_folder_follows_the_index(tmp_path):
    qa = SimpleNamespace(index_dir=tmp_path / "idx", index=Index(["/srv/news/a.md", "/srv/news/b.md"]))
    paths = Relative(qa)
    assert paths("/srv/news/a.md") == "a.md"
    qa.index = Index(["/srv/news/a.md", "/srv/other/c.md"])  # a new generation after an ingest
    assert paths("/srv/news/a.md") == "news/a.md"


def test_without_an_index_paths_keep_only_their_names(tmp_path):
    class Missing:
        index_dir = tmp_path / "idx"

        @property
        def index(self):
            raise IndexStateError("no index")

    assert Relative(Missing())("/srv/news/a.md") == "a.md"
