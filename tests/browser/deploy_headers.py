"""What the shipped server configurations send for each address: deploy/_headers (as Cloudflare
Pages and as Netlify read it) and deploy/nginx.conf. Read by test_csp.py, test_embed.py and the
servers of conftest.py that stand in for the hosts."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


Rule = tuple[str, list[tuple[str, str | None]]]  # a path pattern, its (name, value) lines; None: « ! name »


def read_headers_rules(path: Path = DEPLOY / "_headers") -> list[Rule]:
    """The rules of a Netlify/Cloudflare Pages ``_headers`` file, in order."""
    rules: list[Rule] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
            continue
        text = line.strip()
        if text.startswith("!"):
            rules[-1][1].append((text[1:].strip(), None))
        else:
            name, _, value = text.partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def _matches(pattern: str, path: str) -> bool:
    """A ``_headers`` path pattern (exact, or ending in the ``*`` splat) against a request path."""
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def headers_for(path: str, host: str = "cloudflare", rules: list[Rule] | None = None) -> dict[str, str]:
    """The headers a ``_headers`` file gives a request path, as each host reads it.

    * Cloudflare Pages applies every matching rule in order: a header set twice is joined with
      ", " (two policies, both enforced), « ! name » removes what earlier rules set.
    * Netlify gives a header the value of the last matching rule that sets it, and ignores the
      « ! name » lines (no colon).
    """
    found: dict[str, str] = {}
    for pattern, lines in read_headers_rules() if rules is None else rules:
        if not _matches(pattern, path):
            continue
        for name, value in lines:
            if value is None:
                if host == "cloudflare":
                    found.pop(name, None)
            elif host == "cloudflare" and name in found:
                found[name] += ", " + value
            else:
                found[name] = value
    return found


def read_nginx_blocks(path: Path = DEPLOY / "nginx.conf") -> dict[str, list[tuple[str, str]]]:
    """Every ``add_header NAME "VALUE"`` of the nginx sample, by block: "server", then each
    ``location`` by what follows the word (``/integrer/``, ``~* \\.geojson$``…), in order."""
    blocks: dict[str, list[tuple[str, str]]] = {"server": []}
    current, depth = "server", 0
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0] if not line.lstrip().startswith("add_header") else line
        location = re.match(r"\s*location\s+(.+?)\s*\{", text)
        if location and depth == 1:
            current = location.group(1)
            blocks[current] = []
        header = re.match(r'^\s*add_header\s+([\w-]+)\s+"([^"]*)"(?:\s+always)?\s*;', line)
        if header:
            blocks[current].append((header.group(1), header.group(2)))
        depth += text.count("{") - text.count("}")
        if depth == 1:
            current = "server"
    return blocks


def read_nginx_headers(path: Path = DEPLOY / "nginx.conf") -> list[tuple[str, str]]:
    """Every ``add_header NAME "VALUE"`` of the nginx sample, in order."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r'^\s*add_header\s+([\w-]+)\s+"([^"]*)"(?:\s+always)?\s*;', text, re.MULTILINE)


def nginx_headers_for(path: str) -> dict[str, str]:
    """The headers nginx.conf sends for a page's path: a location's add_header lines replace the
    server's (nginx inherits them only into a location that has none). Prefix locations only
    (the regular-expression ones are for the search index's and the maps' data files)."""
    blocks = read_nginx_blocks()
    prefixes = [loc for loc in blocks if loc != "server" and not loc.startswith("~")]
    best = max((loc for loc in prefixes if path.startswith(loc)), key=len, default=None)
    return dict(blocks[best] if best and blocks[best] else blocks["server"])
