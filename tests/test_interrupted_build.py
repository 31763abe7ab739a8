"""A build killed half-way leaves the previous output/ byte for byte, and does not break the next build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, build_bundled_site, small_project

pytestmark = pytest.mark.site  # builds sites of its own


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def staging_dirs(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}-staging-*"))


def test_killed_build_leaves_output_untouched_and_next_build_works(tmp_path: Path, small_reference):
    out = tmp_path / "output"
    # The site in place: the small one (conftest.small_project); the killed build: the real one.
    data = small_project(tmp_path / "small", small_reference)
    small = {"CATALOGUE_DATA_PATH": str(data), "CATALOGUE_REFERENCE_PATH": str(data / "reference")}
    assert build_bundled_site(out, CATALOGUE_BUILD_DATE="2026-11-23", **small) == 0
    snapshot = tree_bytes(out)
    assert snapshot and staging_dirs(out) == []

    proc = subprocess.Popen(
        [sys.executable, "-m", "mednum", "build", "-s", "pelicanconf.py", "-o", str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not staging_dirs(out):
            assert proc.poll() is None, "the build ended before its staging folder appeared"
            assert time.monotonic() < deadline, "no staging folder after 60 s"
            time.sleep(0.05)
        # Well into the build: pages are being written into the staging folder (a build takes
        # about 2 s, so no fixed delay: as soon as help-point pages are there).
        while not any(d.glob("lieux/*/index.html") for d in staging_dirs(out)):
            assert proc.poll() is None, "the build finished before it could be interrupted"
            assert time.monotonic() < deadline, "no page written after 60 s"
            time.sleep(0.01)
        assert proc.poll() is None, "the build finished before it could be interrupted"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    assert tree_bytes(out) == snapshot, "the killed build changed output/"
    stale = staging_dirs(out)
    assert stale, "the killed build left no staging folder (nothing was interrupted?)"
    print(f"\nstaging folder left by the killed build: {[p.name for p in stale]}")

    # The next build succeeds despite the stale staging folder.
    assert build_bundled_site(out, CATALOGUE_BUILD_DATE="2026-11-23", **small) == 0
    assert (out / "index.html").is_file()
    assert tree_bytes(out) == snapshot
    assert staging_dirs(out) == [], "the next build cleans up what a killed build left"
