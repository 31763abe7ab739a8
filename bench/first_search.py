"""What a first search downloads: Chromium (Debian's, through Playwright) on a built site.

The site is served from 127.0.0.1 with gzip for text, as a production server would; the search
page is loaded, then words are searched: the bytes received for that search (headers and
encoded bodies: Pagefind's code, WebAssembly, metadata, index chunks, filters and the fragments
of the results shown) and the number of requests. Every part of the index adds its metadata,
filters and a chunk of its word index.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import threading
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
COMPRESSED = (".html", ".js", ".css", ".json", ".geojson", ".svg", ".txt", ".xml", "/")
WORDS = ("Lodève", "numérique")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip for text when the browser accepts it (as the production server), never
    cached (each measure is a first visit). Also serves the browser tests' site."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".geojson": "application/geo+json",
        ".js": "text/javascript",
        ".pagefind": "application/octet-stream",
    }

    def log_message(self, format, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self):
        path = urlsplit(self.path).path
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.endswith(COMPRESSED)):
            return super().send_head()
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            local = local / "index.html"
        if not local.is_file():
            return super().send_head()
        body = gzip.compress(local.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(local)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def measure(site: Path, words: tuple[str, ...] = WORDS, browser=None) -> dict[str, dict]:
    """{words: {"kb": received for the search, "requests": n, "status": what the page says}}.

    ``browser``: a Playwright browser already launched (else Debian's Chromium is)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        if browser is not None:
            return {text: _search(browser, base, text) for text in words}
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                return {text: _search(launched, base, text) for text in words}
            finally:
                launched.close()
    finally:
        server.shutdown()
        server.server_close()


def _search(browser, base: str, text: str) -> dict:
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(base + "recherche/")
        page.wait_for_load_state("networkidle")
        requests = []
        page.on("request", lambda request: requests.append(request))
        field = page.get_by_role("searchbox").first
        field.fill(text)
        field.press("Enter")
        page.wait_for_function(
            "() => /résultat|Aucun/.test(document.getElementById('mn-search-status').textContent)"
        )
        page.wait_for_load_state("networkidle")
        received = sum(
            r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
            for r in requests
            if r.response() is not None
        )
        status = page.locator("#mn-search-status").inner_text()
        return {"kb": round(received / 1024, 1), "requests": len(requests), "status": status}
    finally:
        context.close()
