"""``python -m mednum serve`` (``make serve``): the site on http://localhost:8000, rebuilt and
reloaded in the browser when a record, a template, a style or a setting changes.

A partner editing ``data/sites.yaml`` sees the page change a few seconds after saving. Each
rebuild is the checked, atomic build of ``make site``: a record with a mistake prints the French
report and the previous pages stay served. The pages get one more script, only from this
server: it asks every second for the build's number and reloads the page when it changes.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from .build import build_site

RELOAD_PATH = "/__mednum/reload.js"
VERSION_PATH = "/__mednum/version"
RELOAD_SCRIPT = """(function () {
  var seen = null;
  function ask() {
    fetch("VERSION_PATH", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { location.reload(); }
      seen = v;
    }).catch(function () {}).finally(function () { setTimeout(ask, 1000); });
  }
  ask();
})();
""".replace("VERSION_PATH", VERSION_PATH)


def watched_folders(settings_path: Path) -> list[Path]:
    """What the site is made from: the folders of the build's fingerprint, and the settings file."""
    from pelican.settings import read_settings

    from .buildstamp import input_folders

    settings = read_settings(str(settings_path))
    folders = [folder for label, folder in input_folders(settings).items() if not label.startswith("npm:")]
    return [*folders, settings_path.resolve()]


def snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file under ``paths``: what a save changes."""
    seen: dict[str, tuple[int, int]] = {}
    for root in paths:
        files = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            try:
                stat = path.stat()
            except OSError:  # removed meanwhile: the next look sees it gone
                continue
            seen[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return seen


def with_reload_script(html: bytes) -> bytes:
    """The page with the reload script before ``</body>`` (the page as it is if it has none)."""
    tag = f'<script src="{RELOAD_PATH}"></script>'.encode()
    index = html.rfind(b"</body>")
    return html if index < 0 else html[:index] + tag + html[index:]


class Handler(http.server.SimpleHTTPRequestHandler):
    version = "0"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == VERSION_PATH:
            return self._send(self.version.encode(), "text/plain; charset=utf-8")
        if path == RELOAD_PATH:
            return self._send(RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        local = Path(self.translate_path(path))
        if local.is_dir():
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file() and path.endswith(("/", ".html")):
            return self._send(with_reload_script(local.read_bytes()), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # the rebuilds' messages matter more
        pass


def watch(settings_path: Path, output: Path, on_built, interval: float = 0.5, stop=None) -> None:
    """Rebuild ``output`` whenever a watched file changes; ``on_built()`` after each success."""
    paths = watched_folders(settings_path)
    before = snapshot(paths)
    while stop is None or not stop.is_set():
        time.sleep(interval)
        now = snapshot(paths)
        if now == before:
            continue
        time.sleep(interval)  # an editor's save can be several writes: let them end
        before = snapshot(paths)
        print("mednum : modification vue, reconstruction…", flush=True)
        if build_site(settings_path, output) == 0:
            on_built()
            print("mednum : site à jour, la page se recharge.", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mednum serve",
        description="servir le site et le reconstruire à chaque modification des fiches ou du thème",
    )
    parser.add_argument("-s", "--settings", default="pelicanconf.py")
    parser.add_argument("-o", "--output", default="output")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    settings_path, output = Path(args.settings), Path(args.output).resolve()
    if build_site(settings_path, output) != 0 and not output.is_dir():
        return 1
    handler = type("ServeHandler", (Handler,), {"version": "1"})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", args.port), functools.partial(handler, directory=str(output))
    )

    def built() -> None:
        handler.version = str(int(handler.version) + 1)

    threading.Thread(target=watch, args=(settings_path, output, built), daemon=True).start()
    print(f"mednum : site servi sur http://localhost:{args.port}/ (Ctrl-C pour arrêter)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("", file=sys.stderr)
    finally:
        server.server_close()
    return 0
