"""Uploaded files alone: their names, their sizes, how they are written and removed."""

import asyncio

import pytest

from qa.errors import InputError
from qa.server import uploads
from qa.server.errors import TooLarge
from qa.server.uploads import read_upload, remove, write_upload

pytestmark = pytest.mark.unit


class Upload:
    """What a route is handed for one file: its name as the client sent it, and its bytes."""

    def __init__(self, filename, data=b"text"):
        self.filename, self.data = filename, data

    async def read(self, size):
        return self.data[:size]


def read(name, folder, data=b"text"):
    return asyncio.run(read_upload(Upload(name, data), folder))


@pytest.mark.parametrize("name", ["../../escaped.md", "..\\..\\escaped.md", "/etc/escaped.md", "escaped.md"])
def test_a_name_keeps_only_its_last_part_and_stays_in_the_folder(tmp_path, name):
    assert read(name, tmp_path) == ((tmp_path / "escaped.md").resolve(), b"text")


@pytest.mark.parametrize("name", ["..", "", None, ".env.md", "tool.exe", "notes.md.exe"])
def test_names_that_ingest_would_not_read_are_refused(tmp_path, name):
    with pytest.raises(InputError, match="upload .md, .txt, .html or .pdf files"):
        read(name, tmp_path)


def test_a_file_over_its_cap_is_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 2 * 2**20)
    assert read("ok.md", tmp_path, b"a" * 2**20)[1] == b"a" * 2**20
    with pytest.raises(TooLarge, match="big.md is larger than 2 MB"):
        read("big.md", tmp_path, b"a" * (2 * 2**20 + 1))


def test_a_file_is_written_whole_and_removed_quietly(tmp_path):
    target = tmp_path / "uploads" / "a.md"
    assert write_upload(target, b"hello") == target and target.read_bytes() == b"hello"
    assert [p.name for p in target.parent.iterdir()] == ["a.md"]  # no temporary file left
    remove([target, tmp_path / "never-written.md"])
    assert not target.exists()
