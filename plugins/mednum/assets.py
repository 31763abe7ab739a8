"""The theme's assets: one CSS bundle (base, components, print), scripts, favicon.

The bundle's name carries a hash of its content so browsers can keep it for a
long time and still get a new one when it changes. The pages partners frame
(``integrer/``) have their own small stylesheet instead, at a fixed address.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import urls


@dataclass(frozen=True)
class Assets:
    css_file: str  # site-relative path of the CSS bundle
    css: str


def _minify(css: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s*\n\s*", "", css)
    return css.strip() + "\n"


def bundle_css(theme: Path, public_url: str = "") -> Assets:
    """base.css, then every component's style.css (sorted), then print.css.

    The public address is given to the print styles as ``--mn-site``: a printed
    internal link ("/communes/lodeve/") shows the full address people can type.
    """
    parts = [theme / "static" / "css" / "base.css"]
    parts += sorted((theme / "components").glob("*/style.css"))
    parts += [theme / "static" / "css" / "print.css"]
    parts += sorted((theme / "components").glob("*/print.css"))
    css = "".join(_minify(p.read_text(encoding="utf-8")) for p in parts)
    css = f":root{{--mn-site:{json.dumps(public_url.rstrip('/'))}}}\n" + css
    digest = hashlib.sha256(css.encode()).hexdigest()[:10]
    return Assets(f"static/site.{digest}.css", css)


def write_assets(theme: Path, output: Path, assets: Assets) -> None:
    target = output / assets.css_file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(assets.css, encoding="utf-8")
    for script in ("ouvert.js", "commune.js"):
        shutil.copyfile(theme / "static" / script, output / "static" / script)
    shutil.copyfile(theme / "static" / "favicon.svg", output / "favicon.svg")
    embed = output / urls.EMBED_CSS
    embed.parent.mkdir(parents=True, exist_ok=True)
    embed.write_text(
        _minify((theme / "static" / "css" / "integrer.css").read_text(encoding="utf-8")), encoding="utf-8"
    )
