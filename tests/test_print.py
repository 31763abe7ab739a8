"""Print: PDF brochures of the territories, and QR codes that lead back to the page."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from conftest import ROOT
from mednum.pdf import PdfError, html_to_pdf

PUBLIC_URL = "https://numerique.herault.example"
MAX_PDF_BYTES = 400 * 1024


@pytest.fixture(scope="module")
def site(demo_site) -> Path:
    return demo_site


def epci_sites() -> dict[str, list[str]]:
    """Names of the help points of each EPCI, from the data files (not from the plugin)."""
    import yaml

    epcis = json.loads((ROOT / "data/reference/epci.json").read_text(encoding="utf-8"))
    sites = yaml.safe_load((ROOT / "demo/sites.yaml").read_text(encoding="utf-8"))
    result = {}
    for epci in epcis:
        codes = set(epci["communes"])
        result[epci["slug"]] = [
            s["nom"]
            for s in sites
            if s["code_insee"] in codes or any(stop["code_insee"] in codes for stop in s.get("x_arrets", []))
        ]
    return result


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_one_tagged_pdf_per_territory(site):
    expected = epci_sites()
    pdfs = sorted((site / "brochures/territoires").glob("*.pdf"))
    assert [p.stem for p in pdfs] == sorted(expected)
    report = []
    for pdf in pdfs:
        reader = PdfReader(pdf)
        root = reader.trailer["/Root"]
        text = flat(" ".join(page.extract_text() for page in reader.pages))
        size = pdf.stat().st_size
        report.append(f"{pdf.name}: {len(reader.pages)} pages, {size / 1024:.0f} Ko")
        assert size <= MAX_PDF_BYTES, f"{pdf.name} is {size} bytes"
        # No page break after the cover: a short brochure fits on one page.
        assert 1 <= len(reader.pages) <= 20, pdf.name
        assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root, f"{pdf.name} is not tagged"
        assert root["/Lang"] == "fr"
        assert "Où trouver de l'aide avec le numérique près de chez vous" in text
        missing = [name for name in expected[pdf.stem] if flat(name) not in text]
        assert missing == [], f"{pdf.name} lacks {missing}"
        for page in reader.pages:
            for font in page["/Resources"].get("/Font", {}).values():
                font = font.get_object()
                descriptor = (
                    font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                )
                descriptor = descriptor.get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (
                    f"{pdf.name}: font {font['/BaseFont']} not embedded"
                )
    print("\n" + "\n".join(report))


def test_pdf_is_reproducible(site, tmp_path):
    page = site / "brochures/territoires/cc-lodevois-et-larzac/index.html"
    html_to_pdf(page, site, tmp_path / "again.pdf")
    assert (tmp_path / "again.pdf").read_bytes() == (
        site / "brochures/territoires/cc-lodevois-et-larzac.pdf"
    ).read_bytes()


@pytest.mark.parametrize(
    ("head", "message"),
    [
        ('<link rel="stylesheet" href="/static/absent.css">', "ressource introuvable : /static/absent.css"),
        ('<link rel="stylesheet" href="https://cdn.example.org/x.css">', "ressource externe refusée"),
        (
            "<style>@font-face{font-family:x;src:url(/static/x.woff2)}body{font-family:x}</style>",
            "ressource introuvable",
        ),
    ],
)
def test_a_missing_resource_fails_the_pdf(site, tmp_path, head, message):
    page = site / "broken.html"
    page.write_text(
        f'<!doctype html><html lang="fr"><head><title>x</title>{head}</head><body><p>x</p></body></html>'
    )
    try:
        with pytest.raises(PdfError, match=re.escape(message)):
            html_to_pdf(page, site, tmp_path / "x.pdf")
        assert not (tmp_path / "x.pdf").exists()
    finally:
        page.unlink()


def decode_svg_qr(svg: str, pixels: int = 8) -> str:
    """Rasterise our one-path SVG (runs of horizontal modules) and read it with zxing."""
    modules = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(r' d="([^"]+)"', svg).group(1)
    image = Image.new("L", (modules * pixels, modules * pixels), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a run of dark modules, one module high, centred on y
            top = (y - 0.5) * pixels
            draw.rectangle([x * pixels, top, (x + float(a)) * pixels - 1, top + pixels - 1], fill=0)
            x += float(a)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "no QR code found"
    return results[0].text


@pytest.mark.parametrize(
    "page",
    [
        "lieux/france-services-castries/index.html",
        "communes/lodeve/index.html",
        "brochures/territoires/cc-lodevois-et-larzac/index.html",
        "pass-numerique/index.html",
    ],
)
def test_qr_codes_decode_to_the_published_address(site, page):
    html = (site / page).read_text(encoding="utf-8")
    url = PUBLIC_URL + "/" + page.removesuffix("index.html")
    footer = html[html.index('class="mn-print-only mn-print-footer"') :]
    svg = footer[footer.index("<svg") : footer.index("</svg>") + 6]
    assert decode_svg_qr(svg) == url
    assert url in footer


def test_brochure_qr_leads_to_the_online_territory_page(site):
    html = (site / "brochures/territoires/cc-lodevois-et-larzac/index.html").read_text(encoding="utf-8")
    cover = html[html.index('class="mn-qr"') :]
    svg = cover[cover.index("<svg") : cover.index("</svg>") + 6]
    assert decode_svg_qr(svg) == PUBLIC_URL + "/territoires/cc-lodevois-et-larzac/"


def test_qr_codes_are_kept_from_one_build_to_the_next(tmp_path, monkeypatch):
    """qr.Store: the codes made by the rendering processes (a file each) come back in one file
    for the next build, which encodes none of them again; a broken file is only a cache miss."""
    import multiprocessing

    from mednum import qr

    store = qr.Store(tmp_path)
    store.load()
    urls = [f"https://numerique.herault.example/communes/c{n}/" for n in range(6)]
    fresh = [qr.qr_svg(url) for url in urls[:3]]

    def other_process() -> None:  # a rendering share: its own codes, its own file
        qr.qr_svg(urls[3])
        store.keep()

    child = multiprocessing.get_context("fork").Process(target=other_process)
    child.start()
    child.join()
    store.keep()
    store.save()
    assert [p.suffix for p in tmp_path.iterdir()] == [".sqlite"]  # the processes' files merged

    encoded = []
    monkeypatch.setattr(qr, "_encode", lambda url: encoded.append(url) or (0, ""))
    qr.Store(tmp_path).load()
    assert [qr.qr_svg(url) for url in urls[:3]] == fresh
    qr.qr_svg(urls[3])
    assert encoded == []  # made in the other process, kept too

    def child_reads() -> None:  # a forked process reads the file through its own connection
        os._exit(0 if qr.qr_svg(urls[1]) == fresh[1] and not encoded else 1)

    child = multiprocessing.get_context("fork").Process(target=child_reads)
    child.start()
    child.join()
    assert child.exitcode == 0

    database = next(tmp_path.glob("*.sqlite"))
    database.write_text("not a database")
    store = qr.Store(tmp_path)
    store.load()
    qr.qr_svg(urls[0])
    assert encoded == [urls[0]]  # a cache miss, no error
    store.save()  # and the file is made again
    qr.Store(tmp_path).load()
    qr.qr_svg(urls[0])
    assert encoded == [urls[0]]


def _python(code: str) -> str:
    """Run ``code`` in a fresh Python (WeasyPrint not imported yet); its output."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
    )
    return done.stdout


def test_weasyprint_finds_its_libraries_in_one_reading_of_ldconfig():
    """``import_weasyprint`` answers the library names ctypes would, runs ldconfig once (not
    ldconfig and gcc for every name WeasyPrint tries), and puts ctypes back as it was."""
    out = _python(
        "import ctypes.util, json, subprocess\n"
        "from mednum import pdf\n"
        "names = ['gobject-2.0', 'pango-1.0', 'harfbuzz', 'fontconfig', 'pangoft2-1.0',\n"
        "         'libgobject-2.0-0', 'gobject-2.0-0', 'pas-une-bibliotheque']\n"
        "finder = pdf._ldconfig_finder()\n"
        "same = all(finder(n) == ctypes.util.find_library(n) for n in names)\n"
        "usual, runs, run = ctypes.util.find_library, [], subprocess.Popen.__init__\n"
        "def counted(self, args, *a, **k):\n"
        "    runs.append(args[0])\n"
        "    run(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = counted\n"
        "weasyprint = pdf.import_weasyprint()\n"
        "print(json.dumps([same, runs, ctypes.util.find_library is usual, weasyprint.__name__]))\n"
    )
    same, runs, restored, name = json.loads(out)
    assert same and restored and name == "weasyprint"
    assert runs == ["/sbin/ldconfig"]  # the usual way: 22 lookups, each running ldconfig and gcc


def test_weasyprint_is_imported_the_usual_way_if_its_libraries_fail_to_load():
    out = _python(
        "import ctypes.util, importlib.abc, json, sys\n"
        "from mednum import pdf\n"
        "class Once(importlib.abc.MetaPathFinder):\n"
        "    tried = 0\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'weasyprint' and not self.tried:\n"
        "            self.tried = 1\n"
        "            print('cannot load library: help text of WeasyPrint')\n"
        "            raise OSError('cannot load library')\n"
        "sys.meta_path.insert(0, Once())\n"
        "usual = ctypes.util.find_library\n"
        "weasyprint = pdf.import_weasyprint()\n"
        "print(json.dumps([sys.meta_path[0].tried, ctypes.util.find_library is usual, weasyprint.__name__]))\n"
    )
    assert json.loads(out) == [1, True, "weasyprint"]  # and the failed try's printing was not shown
