"""The optional parts of qa, each a pip extra of pyproject.toml, and the one line that says how to install one.

``make demo`` (and ``pip install .``) installs the core: ingest, search, ask, chat, serve and eval. Ray and Milvus
('scale'), the eval report's charts ('report') and the test tools ('test') come as extras, so a feature that needs one says which, and the command that adds it to this environment.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

from .errors import InputError


def require(module: str, extra: str, feature: str) -> ModuleType:
    """``module``, imported; when it is not installed, an InputError naming ``extra`` and the command that installs it.

    Only the module's own absence is translated: an installed module that fails on import shows its real error."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != module.split(".")[0]:
            raise
        raise InputError(f"{feature} needs {module.split('.')[0]}, in qa's '{extra}' extra: "
                         f"install it with {install_command(extra)}") from None


def install_command(extra: str) -> str:
    """The command that adds ``extra`` to the running environment: the checkout's ``scripts/setup`` (which keeps the
    CPU torch pin and the llama.cpp build flags), pointed at this environment when it is not the checkout's .venv."""
    root = Path(__file__).resolve().parent.parent
    setup = root / "scripts" / "setup"
    if not setup.is_file():  # installed from a wheel or an sdist: no set-up script beside it
        return f"pip install '.[{extra}]' in qa's source folder"
    try:
        shown = setup.relative_to(Path.cwd())
    except ValueError:
        shown = setup
    venv = Path(sys.prefix).resolve()
    prefix = "" if venv == (root / ".venv").resolve() else f"QA_VENV={venv} "
    return f"{prefix}{shown} {extra}"
