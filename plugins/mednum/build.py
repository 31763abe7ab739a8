"""Build the site into a staging folder and swap it in only when every step succeeded.

A data mistake, a crash or an interruption leaves the previous ``output/`` as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .errors import CatalogueInvalid

logger = logging.getLogger(__name__)


def build_site(settings_path: Path, output: Path, override: dict | None = None) -> int:
    from pelican import Pelican
    from pelican.settings import read_settings

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-staging-", dir=output.parent))
    try:
        settings = read_settings(
            str(settings_path), override={**(override or {}), "OUTPUT_PATH": str(staging)}
        )
        Pelican(settings).run()
    except CatalogueInvalid as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(exc.report.text(), file=sys.stderr)
        print(f"\nLe site n'a pas été construit : {output.name}/ est resté tel quel.", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, output)
    return 0


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` by ``staging`` with two renames (no half-written site in between)."""
    old = None
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}-old-", dir=output.parent))
        os.rmdir(old)
        os.rename(output, old)
    os.rename(staging, output)
    os.chmod(output, 0o755)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
