"""Files a client uploads to ``/v1/ingest``: checked whole before one is written, written into the index's own
``uploads/`` folder under their bare names, and removed again when the ingest refuses them."""

from __future__ import annotations

import uuid
from pathlib import Path

from ..errors import InputError
from ..ingest.documents import MAX_FILE_BYTES, MAX_PDF_BYTES, SUPPORTED_SUFFIXES
from .errors import TooLarge
from .guard import MAX_UPLOAD_BYTES


async def read_upload(upload, folder: Path) -> tuple[Path, bytes]:
    """Check one uploaded file before anything is written: a bare, supported name (a name with a folder in it,
    "../../etc/x.md", keeps only its last part, and the resolved path must stay in the folder), and a size that
    ingest would read."""
    name = Path((upload.filename or "").replace("\\", "/")).name
    if not name or name.startswith(".") or not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise InputError(f"cannot ingest {upload.filename!r}: upload .md, .txt, .html or .pdf files")
    target = (folder / name).resolve()
    if target.parent != folder.resolve():
        raise InputError(f"cannot ingest {upload.filename!r}: not a plain file name")
    limit = MAX_PDF_BYTES if name.lower().endswith(".pdf") else MAX_FILE_BYTES
    limit = min(limit, MAX_UPLOAD_BYTES)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{name} is larger than {limit // 2**20} MB")
    return target, data


def write_upload(target: Path, data: bytes) -> Path:
    """Write through a hidden temporary file and a rename, so the folder never holds half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def remove(paths: list[Path]) -> None:
    """Remove what was written, quietly: a file already gone is no error."""
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass
