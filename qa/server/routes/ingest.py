"""``/v1/ingest``: uploaded files into the index's own ``uploads/`` folder, ingested in a turn at the model (an
ingest swaps the index that answers read). What the ingest skips is not kept."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from fastapi import APIRouter, File, Request, UploadFile

from ...errors import InputError
from ...ingest.pipeline import IngestReport
from ..gate import with_model
from ..paths import Relative
from ..state import GateIn, PathsIn, QAIn
from ..uploads import read_upload, remove, write_upload

router = APIRouter()


# All files are checked before one is written, and a refused or failed ingest leaves nothing behind.
@router.post("/v1/ingest")
async def ingest(request: Request, qa: QAIn, gate: GateIn, paths: PathsIn,
                 files_: list[UploadFile] = File(alias="files")):
    folder = qa.index_dir / "uploads"
    uploads = [await read_upload(upload, folder) for upload in files_]
    written = [write_upload(target, data) for target, data in uploads]
    try:
        report = await with_model(gate, request, lambda cancelled: qa.ingest(written))
    except BaseException:
        remove(written)
        raise
    remove([Path(p) for p, _ in report.skipped])  # not indexed, so not kept
    if len(report.skipped) == len(written):
        raise InputError("nothing ingested: " + "; ".join(f"{Path(p).name}: {paths.text(why)}"
                                                           for p, why in report.skipped))
    return shown(report, paths)


def shown(report: IngestReport, paths: Relative) -> dict:
    """The ingest's report with every path as a client may see it."""
    return {**asdict(report), "added": [paths(p) for p in report.added],
            "updated": [paths(p) for p in report.updated], "removed": [paths(p) for p in report.removed],
            "skipped": [[paths(p), paths.text(reason)] for p, reason in report.skipped]}
