"""No page stops people from zooming (WCAG 1.4.4): checked on every built page, no browser needed."""

from __future__ import annotations

import re
from pathlib import Path

META = re.compile(r"<meta\b[^>]*\bname=[\"']?viewport[\"']?[^>]*>", re.I)
CONTENT = re.compile(r"\bcontent=(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)


def viewport_problems(html: str) -> list[str]:
    metas = META.findall(html)
    if len(metas) != 1:
        return [f"{len(metas)} viewport meta elements instead of 1"]
    match = CONTENT.search(metas[0])
    content = match.group(1).strip("\"'") if match else ""
    values = {
        key.strip().lower(): value.strip().lower()
        for key, _, value in (part.partition("=") for part in re.split(r"[,;]", content) if part.strip())
    }
    problems = []
    if values.get("width") != "device-width":
        problems.append(f"width is not device-width: {content!r}")
    if values.get("user-scalable") in {"no", "0"}:
        problems.append(f"user-scalable forbids zooming: {content!r}")
    if "maximum-scale" in values:
        problems.append(f"maximum-scale limits zooming: {content!r}")
    if "minimum-scale" in values and values["minimum-scale"] not in {"1", "1.0"}:
        problems.append(f"unusual minimum-scale: {content!r}")
    return problems


def test_viewport_check_finds_zoom_locks():
    assert viewport_problems('<meta name="viewport" content="width=device-width, initial-scale=1">') == []
    assert viewport_problems('<meta name="viewport" content="width=device-width, user-scalable=no">')
    assert viewport_problems("<meta content='width=device-width,maximum-scale=1' name=viewport>")
    assert viewport_problems("<title>no viewport</title>")


def test_no_page_locks_zoom(site_dir: Path):
    files = sorted(site_dir.rglob("*.html"))
    assert len(files) > 400, "the whole site, every commune included"
    problems = [
        f"{path.relative_to(site_dir)}: {problem}"
        for path in files
        for problem in viewport_problems(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems[:20])
