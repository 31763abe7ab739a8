"""Files of the build cache written with pickle: read back only by this code, written whole.

A cache file that cannot be read (absent, cut short, from another version of the code) is
no file: the work is done again. One that cannot be written only costs time next build.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

# What unpickling a damaged or outdated file of our own raises.
UNREADABLE = (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError)


def read_pickle(path: Path) -> Any | None:
    """What ``write_pickle`` wrote to ``path``; None if it cannot be read."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # our own cache folder, written by write_pickle
    except UNREADABLE:
        return None


def write_pickle(path: Path, value: Any) -> None:
    """``value`` into ``path``, whole or not at all (a file of this process, then renamed);
    OSError if it cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
