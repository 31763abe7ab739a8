"""The pages' Content Security Policy: one definition for the pages' <meta> and the hosts' headers.

GitHub Pages sends no custom header: there, the policy reaches the browser only through the
``<meta http-equiv="Content-Security-Policy">`` of every page. A <meta> cannot say
``frame-ancestors`` (browsers ignore it there and log an error), so the pages' policy leaves it
out; the header files of the hosts that read them (``deploy/_headers``, ``deploy/nginx.conf``)
send the whole policy, ``frame-ancestors 'self'`` included. A test checks that both say this.
The map tiles' server is the only other origin: read from CATALOGUE_MAP_TILES.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .settings import setting


def content_security_policy(settings: dict, header: bool = False) -> str:
    """The policy of the pages (``header``: as a host's header, with ``frame-ancestors``)."""
    tiles = urlsplit(setting(settings, "CATALOGUE_MAP_TILES"))
    directives = [
        ("default-src", "'self'"),
        ("script-src", "'self' 'wasm-unsafe-eval'"),  # Pagefind's WebAssembly
        ("style-src", "'self'"),
        ("img-src", f"'self' data: {tiles.scheme}://{tiles.netloc}"),
        ("connect-src", "'self'"),
        ("frame-src", "'self'"),
        ("frame-ancestors", "'self'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
        ("object-src", "'none'"),
    ]
    return "; ".join(f"{name} {value}" for name, value in directives if header or name != "frame-ancestors")
