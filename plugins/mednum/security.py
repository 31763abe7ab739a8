"""The pages' Content Security Policy: one definition for the pages' <meta> and the hosts' headers.

GitHub Pages sends no custom header: there, the policy reaches the browser only through the
``<meta http-equiv="Content-Security-Policy">`` of every page. A <meta> cannot say
``frame-ancestors`` (browsers ignore it there and log an error), so the pages' policy leaves it
out; the header files of the hosts that read them (``deploy/_headers``, ``deploy/nginx.conf``)
send the whole policy, ``frame-ancestors`` included. ``tests/browser/test_csp.py`` checks that
both files send, for each address, what ``host_headers`` says.

Two policies:

* every page: the site's scripts and styles, the map tiles' server (the only other origin, read
  from CATALOGUE_MAP_TILES); framed by the site's own pages only (``frame-ancestors 'self'``:
  « Afficher la carte » shows the map page in a frame of the page);
* the pages made for partners' sites (``urls.EMBED``, ``integrer/``): no script at all, nothing
  but their own stylesheet, and any site may frame them (``frame-ancestors *``). They hold
  public information, links and no form: framed by any site, they let it do nothing a link to
  them would not (no clickjacking target).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import urls
from .settings import setting

FRAME_ANCESTORS = "'self'"
EMBED_FRAME_ANCESTORS = "*"
# Sent with every file, whatever its address.
OTHER_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
EMBED_PATTERN = f"/{urls.EMBED}*"  # the _headers rule of the embeddable pages


def content_security_policy(settings: dict, header: bool = False, embed: bool = False) -> str:
    """The policy of the pages (``header``: as a host's header, with ``frame-ancestors``;
    ``embed``: of the pages other sites may frame, ``integrer/…``)."""
    if embed:
        directives = [
            ("default-src", "'none'"),
            ("style-src", "'self'"),
            ("img-src", "'self'"),
            ("frame-ancestors", EMBED_FRAME_ANCESTORS),
            ("base-uri", "'none'"),
            ("form-action", "'none'"),
        ]
    else:
        tiles = urlsplit(setting(settings, "CATALOGUE_MAP_TILES"))
        directives = [
            ("default-src", "'self'"),
            ("script-src", "'self' 'wasm-unsafe-eval'"),  # Pagefind's WebAssembly
            ("style-src", "'self'"),
            ("img-src", f"'self' data: {tiles.scheme}://{tiles.netloc}"),
            ("connect-src", "'self'"),
            ("frame-src", "'self'"),
            ("frame-ancestors", FRAME_ANCESTORS),
            ("base-uri", "'self'"),
            ("form-action", "'self'"),
            ("object-src", "'none'"),
        ]
    return "; ".join(f"{name} {value}" for name, value in directives if header or name != "frame-ancestors")


def is_embed(path: str) -> bool:
    """Whether a site address (``/integrer/…`` or ``integrer/…``) is one other sites may frame."""
    return path.lstrip("/").startswith(urls.EMBED)


def host_headers(settings: dict, path: str) -> dict[str, str]:
    """The headers a host must send with the file at ``path`` (a site address)."""
    policy = content_security_policy(settings, header=True, embed=is_embed(path))
    return {"Content-Security-Policy": policy, **OTHER_HEADERS}
