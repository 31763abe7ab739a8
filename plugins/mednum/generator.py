"""The Pelican generator: load and validate in generate_context, render in generate_output."""

from __future__ import annotations

import logging
from pathlib import Path
from xml.sax.saxutils import escape

from pelican.generators import Generator

from . import collector, filters, qr, render, urls
from .assets import bundle_css, write_assets
from .buildstamp import canonical
from .catalogue import LoadOptions, load_catalogue
from .coverage import compute as compute_coverage
from .errors import CatalogueInvalid, stop
from .exports import ics, write_exports
from .freshness import build_report
from .maps import MapError, map_template_context, write_map_files
from .pages import plan_pages
from .reference import ReferenceDataError, load_contours
from .render import REUSE_SETTING, DigestsAhead, Reuse, write_pages
from .search import write_search_assets
from .security import content_security_policy
from .settings import build_date, publisher, reference_path, resolve_path, setting

logger = logging.getLogger(__name__)


def add_jinja_filters(pelican) -> None:
    pelican.settings.setdefault("JINJA_FILTERS", {}).update(filters.FILTERS)
    # Page addresses, from the one module that knows them (``{{ url_site(site) }}``).
    pelican.settings.setdefault("JINJA_GLOBALS", {}).update(urls.JINJA_GLOBALS)


def cache_compiled_templates(pelican) -> None:
    """Jinja compiles every template again in each generator of each build: about a second of a
    small site's two. Compiled templates are kept in the build cache and used again while their
    source is the same (Jinja compares it); one folder per set of the environment's options,
    which Jinja's own key leaves out."""
    import hashlib
    import json

    import jinja2
    from jinja2 import FileSystemBytecodeCache

    options = pelican.settings.get("JINJA_ENVIRONMENT") or {}
    if "bytecode_cache" in options:
        return
    digest = hashlib.sha256(
        json.dumps([jinja2.__version__, canonical(options)], sort_keys=True).encode("utf-8")
    ).hexdigest()[:16]
    folder = resolve_path(pelican.settings, "CATALOGUE_CACHE_PATH") / "templates" / digest
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # no cache: the templates are compiled as before
        logger.warning("mednum: cache des gabarits compilés indisponible (%s)", exc)
        return
    pelican.settings["JINJA_ENVIRONMENT"] = {
        **options,
        "bytecode_cache": FileSystemBytecodeCache(str(folder)),
    }


def get_generators(pelican):
    return CatalogueGenerator


def template_context(catalogue, settings: dict) -> dict:
    """What every template of the site gets from the catalogue and the settings (the build's
    generator and the benchmark's stages both use it)."""
    department = catalogue.reference.department
    return {
        "catalogue": catalogue,
        "build_date": catalogue.build_date,
        # Who publishes, and where: the templates' sentences about the territory (« dans le Gard »).
        "department": department,
        "publisher": publisher(settings, department),
        "content_security_policy": content_security_policy(settings),
        **map_template_context(settings),
    }


def catalogue_objects(catalogue) -> list:
    """What the pages' keys read of the catalogue, to digest ahead (``render.DigestsAhead``): its
    records, and the communes and territories of its reference data."""
    reference = catalogue.reference
    return [
        catalogue.sites,
        catalogue.workshops,
        catalogue.trainings,
        list(reference.communes.values()),
        list(reference.epcis.values()),
    ]


class CatalogueGenerator(Generator):
    known = None  # the catalogue's digests, made while the pages are planned

    def generate_context(self) -> None:
        try:
            # The catalogue and the plan live until the pages are written (generate_output).
            with collector.paused(keep=True):
                self._load_and_plan()
        except BaseException as error:
            collector.released()
            if isinstance(error, (CatalogueInvalid, MapError, ReferenceDataError)):
                stop(error)
            raise

    def generate_output(self, writer) -> None:
        try:
            self._write(writer)
        except MapError as error:
            stop(error)
        finally:
            collector.released()

    def _load_and_plan(self) -> None:
        options = LoadOptions(
            data_dir=resolve_path(self.settings, "CATALOGUE_DATA_PATH"),
            schemas_dir=resolve_path(self.settings, "CATALOGUE_SCHEMAS_PATH"),
            build_date=build_date(self.settings),
            stale_months=setting(self.settings, "CATALOGUE_STALE_MONTHS"),
            max_bytes=setting(self.settings, "CATALOGUE_MAX_FILE_BYTES"),
            recurrence_weeks=setting(self.settings, "CATALOGUE_RECURRENCE_WEEKS"),
            cache_dir=resolve_path(self.settings, "CATALOGUE_CACHE_PATH"),
            reference_dir=reference_path(self.settings),
            allow_examples=bool(setting(self.settings, "CATALOGUE_ALLOW_EXAMPLES")),
        )
        catalogue, report = load_catalogue(options)
        if catalogue is None:
            raise CatalogueInvalid(report)
        if report.warnings:
            logger.info(
                "mednum: %d avertissements sur les données (make check les liste)", len(report.warnings)
            )
        # Pages are keyed only by `python -m mednum build` (render.Reuse): the catalogue's part
        # of their keys is digested meanwhile by a process of its own.
        ahead = DigestsAhead(catalogue_objects(catalogue)) if self.settings.get(REUSE_SETTING) else None
        try:
            self._plan(catalogue)
        except BaseException:
            if ahead is not None:
                ahead.close()
            raise
        self.known = ahead.result() if ahead is not None else None

    def _plan(self, catalogue) -> None:
        self.catalogue = catalogue
        self.context.update(template_context(catalogue, self.settings))
        self.report = build_report(catalogue)
        self.coverage = compute_coverage(catalogue, self.report)
        contours = load_contours(reference_path(self.settings))
        self.pages = plan_pages(
            catalogue,
            self.settings,
            self.coverage,
            contours,
            self.report,
            cache=resolve_path(self.settings, "CATALOGUE_CACHE_PATH"),
        )
        self.assets = bundle_css(Path(self.theme), setting(self.settings, "CATALOGUE_PUBLIC_URL"))
        self.context["CSS_FILE"] = self.assets.css_file
        logger.info(
            "mednum: %d lieux, %d ateliers, %d formations, %d pages",
            len(catalogue.sites),
            len(catalogue.workshops),
            len(catalogue.trainings),
            len(self.pages),
        )

    def _write(self, writer) -> None:
        output = Path(self.output_path)
        cache = resolve_path(self.settings, "CATALOGUE_CACHE_PATH")
        write_assets(Path(self.theme), output, self.assets)
        write_map_files(self.pages, output, Path(self.theme), self.settings, cache=cache)
        given = self.settings.get(REUSE_SETTING)  # only under `python -m mednum build`
        reuse = Reuse(**given, known=self.known) if given else None
        codes = qr.Store(cache)  # QR codes of earlier builds
        codes.load()
        processes = setting(self.settings, "CATALOGUE_RENDER_PROCESSES")
        calendars = None
        if reuse is not None:  # the published site's calendars, for the unchanged workshops
            folder = reuse.site / urls.DATA / ics.FOLDER if reuse.site else None
            calendars = ics.Previous(reuse.environment, folder, reuse.calendars, known=self.known)

        def export() -> dict[str, str] | None:  # the calendars' keys, for the next build
            write_exports(
                self.catalogue, output / urls.DATA, self.settings, coverage=self.coverage, calendars=calendars
            )
            return calendars.keys if calendars is not None else None

        # The exports read the catalogue, not the pages: written beside them.
        write_pages(self, writer, self.pages, processes, reuse, finish=codes.keep, alongside=export)
        if reuse is not None:
            reuse.calendars = render.last_alongside
        codes.save()
        self._write_sitemap(output)
        write_search_assets(Path(self.theme), output)

    def _write_sitemap(self, output: Path) -> None:
        """sitemap.xml of every catalogue and content page, and robots.txt pointing to it."""
        base = (setting(self.settings, "CATALOGUE_PUBLIC_URL") or self.settings.get("SITEURL", "")).rstrip(
            "/"
        )
        urls = [p.url for p in self.pages if p.in_sitemap]
        urls += [p.url for p in self.context.get("pages", [])]
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        lines += [f"<url><loc>{escape(base)}/{escape(url)}</loc></url>" for url in sorted(set(urls))]
        lines.append("</urlset>")
        (output / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (output / "robots.txt").write_text(
            f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n", encoding="utf-8"
        )
