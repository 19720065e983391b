"""What the benchmark scripts share: memory readings and the installed ``qa`` command."""

from __future__ import annotations

import resource
import shutil
import sys
from pathlib import Path


def rss_mb() -> float:
    """Resident memory of this process now."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


def peak_mb() -> float:
    """The most resident memory this process has held."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def qa_command() -> str:
    """The ``qa`` script beside this interpreter, as a user of the venv would run it."""
    return shutil.which("qa", path=str(Path(sys.executable).parent)) or "qa"
