"""make serve: a change to a watched file rebuilds the site, and the served pages reload."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.request
from pathlib import Path

from conftest import DEMO_CONF, ROOT
from mednum import serve


def test_the_watched_folders_are_what_the_site_is_made_from():
    folders = {p.relative_to(ROOT).as_posix() for p in serve.watched_folders(DEMO_CONF)}
    assert {
        "demo",
        "data/reference",
        "schemas",
        "content",
        "theme",
        "plugins/mednum",
        "democonf.py",
    } <= folders


def test_a_saved_file_rebuilds_and_a_mistake_keeps_the_last_good_site(tmp_path, monkeypatch):
    watched = tmp_path / "data"
    watched.mkdir()
    (watched / "sites.yaml").write_text("[]\n", encoding="utf-8")
    monkeypatch.setattr(serve, "watched_folders", lambda settings: [watched])
    results = iter([0, 1])  # the first rebuild works, the second finds a mistake
    builds, built = [], []

    def build_site(settings, output):
        builds.append(output)
        return next(results)

    monkeypatch.setattr(serve, "build_site", build_site)
    stop = threading.Event()
    thread = threading.Thread(
        target=serve.watch, args=(DEMO_CONF, tmp_path / "out", lambda: built.append(1), 0.05, stop)
    )
    thread.start()
    threading.Event().wait(0.5)  # its first look at the files, before they change
    try:
        for expected in (1, 2):
            (watched / "sites.yaml").write_text(f"[]\n# {expected}\n", encoding="utf-8")
            for _ in range(100):
                if len(builds) == expected:
                    break
                threading.Event().wait(0.05)
            assert len(builds) == expected
    finally:
        stop.set()
        thread.join(5)
    assert built == [1]  # no reload after the failed build: the page stays as it was


def test_served_pages_carry_the_reload_script_and_the_version(tmp_path):
    (tmp_path / "index.html").write_text("<html><body><p>Accueil</p></body></html>", encoding="utf-8")
    (tmp_path / "style.css").write_text("body{}", encoding="utf-8")
    handler = type("H", (serve.Handler,), {"version": "7"})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(tmp_path))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = urllib.request.urlopen(base + "/").read().decode()
        assert page.endswith(f'<p>Accueil</p><script src="{serve.RELOAD_PATH}"></script></body></html>')
        assert urllib.request.urlopen(base + serve.VERSION_PATH).read() == b"7"
        script = urllib.request.urlopen(base + serve.RELOAD_PATH).read().decode()
        assert serve.VERSION_PATH in script and "location.reload()" in script
        assert urllib.request.urlopen(base + "/style.css").read() == b"body{}"  # other files as they are
    finally:
        server.shutdown()
        server.server_close()
    assert not Path(tmp_path / "index.html").read_text(encoding="utf-8").count("script")  # file untouched
