"""QR codes as inline SVG, made at build time: printed pages lead back to their web address.

Every page has one (in its print footer), so this is on the build's hot path: zxing-cpp
encodes (C++, ~0.4 ms a code; segno took ~2 ms even with a fixed mask) and the SVG is one
path of horizontal runs of dark modules, written here. Codes are kept per URL for the
length of a process (a brochure and its territory page share theirs).
"""

from __future__ import annotations

import functools
import re

import zxingcpp
from markupsafe import Markup, escape

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks: phones read it better
_DARK_RUNS = re.compile(rb"\x00+")  # zxing's image: 0 is a dark module, 255 a light one


@functools.lru_cache(maxsize=4096)
def _path(url: str) -> tuple[int, str]:
    """(size in modules with the quiet zone, path data) of the QR code of ``url``."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    rows, width = image.shape
    pixels = bytes(memoryview(image))
    parts = []
    for y in range(rows):
        x = 0  # pen position in this row, relative to the row's first run
        first = True
        for run in _DARK_RUNS.finditer(pixels, y * width, (y + 1) * width):
            start, length = run.start() - y * width, run.end() - run.start()
            if first:  # absolute move to the row; y + .5: the stroke is centred on the line
                parts.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}.5h{length}")
                first = False
            else:
                parts.append(f"m{start - x} 0h{length}")
            x = start + length
    return rows + 2 * QUIET_ZONE, "".join(parts)


def qr_svg(url: str, label: str = "") -> Markup:
    """An accessible inline SVG QR code encoding ``url`` (deterministic for a given URL)."""
    size, path = _path(url)
    title = escape(label or f"QR code vers {url}")
    # role=img with a label: screen readers announce what the code leads to. A viewBox and no
    # fixed size: CSS sizes the printed code.
    return Markup(
        f'<svg role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {size}" class="mn-qr__code"><path stroke="#000" d="{path}"/></svg>'
    )
