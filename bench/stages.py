"""One stage of the build, measured alone in a fresh process: ``python -m bench.stages STAGE WORKDIR``.

Each stage first prepares what it needs (untimed: reading the data, or the plan saved by the
``plan`` stage), then runs the stage's own code under a clock. It prints one JSON line: the
wall time of the stage, the peak resident memory of the process (``ru_maxrss``, which includes
what the preparation holds) and of its child processes (Pagefind, the PDF workers), the peak
before the stage began, and a few counts.

``WORKDIR`` is a size's folder under ``bench/.data/``: ``data/``, ``benchconf.py`` (Pelican
settings pointing at it), and the outputs ``site/`` (render, maps, exports, search,
brochures), ``floor/`` (plain Jinja2) and ``state.pickle`` (the plan, written by ``plan``).
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import sys
import time
from pathlib import Path

from mednum.collector import paused  # as the build runs them: reading, checking, planning

sys.setrecursionlimit(100_000)  # pickling the plan: sites and workshops point at each other


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory in MiB: of this process, or of its largest waited-for child.

    For this process, VmHWM (the high-water mark of its own memory since exec): ru_maxrss
    would also count the memory of the parent that forked it (Linux keeps it across exec).
    """
    if who == resource.RUSAGE_SELF:
        with open("/proc/self/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def _cpu_s() -> float:
    """User + system time of this process and of its waited-for children."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class Clock:
    """Wall and CPU time of a block; the machine's load average around it (shared machines)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.extra: dict = {}

    def __enter__(self) -> Clock:
        self.rss_before = _rss_mb()
        self.load_before = os.getloadavg()[0]
        self.cpu_start = _cpu_s()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.start
        self.cpu = _cpu_s() - self.cpu_start
        self.load_after = os.getloadavg()[0]


# --------------------------------------------------------------------------------------------------
# Preparation


def settings(workdir: Path) -> dict:
    from pelican.settings import read_settings

    return read_settings(str(workdir / "benchconf.py"), override={"OUTPUT_PATH": str(workdir / "site")})


def options(workdir: Path):
    from mednum.catalogue import LoadOptions
    from mednum.settings import build_date, resolve_path, setting

    s = settings(workdir)
    return LoadOptions(
        data_dir=resolve_path(s, "CATALOGUE_DATA_PATH"),
        schemas_dir=resolve_path(s, "CATALOGUE_SCHEMAS_PATH"),
        build_date=build_date(s),
        stale_months=setting(s, "CATALOGUE_STALE_MONTHS"),
        max_bytes=setting(s, "CATALOGUE_MAX_FILE_BYTES"),
        recurrence_weeks=setting(s, "CATALOGUE_RECURRENCE_WEEKS"),
        allow_examples=bool(setting(s, "CATALOGUE_ALLOW_EXAMPLES")),
    )


def read(opts):
    """What ``load_catalogue`` reads: the reference and the three YAML files."""
    from mednum.problems import Report
    from mednum.reference import load_reference
    from mednum.schema import KINDS
    from mednum.yamlsource import read_yaml

    report = Report()
    reference = load_reference(opts.data_dir / "reference")
    docs = {}
    for kind in KINDS:
        path = opts.data_dir / kind.filename
        docs[kind.name] = read_yaml(path, opts.display(path), report, opts.max_bytes)
        if docs[kind.name] is None:
            raise SystemExit(report.text())
    return reference, docs, report


def validate(opts, reference, docs, report):
    """Schema and checks, as ``load_catalogue`` runs them."""
    from mednum.checks import Checker, Source
    from mednum.schema import KINDS, Schema

    sources = {}
    for kind in KINDS:
        schema = Schema(opts.schemas_dir / kind.schema_file, kind)
        sources[kind.name] = Source(kind, docs[kind.name], schema.check(docs[kind.name], report))
    Checker(reference, opts.build_date, report, opts.stale_months, opts.allow_examples).run(
        sources["sites"], sources["workshops"], sources["trainings"]
    )
    if not report.ok:
        raise SystemExit(report.text())
    return sources


def model(opts, reference, sources):
    from mednum.checks import months_before
    from mednum.model import build_catalogue

    def triples(name):
        src = sources[name]
        return [(r, src.doc.file, src.at(i).line) for i, r in enumerate(src.records)]

    return build_catalogue(
        triples("sites"),
        triples("workshops"),
        triples("trainings"),
        reference,
        opts.build_date,
        months_before(opts.build_date, opts.stale_months),
        opts.recurrence_weeks,
    )


def catalogue(workdir: Path):
    from mednum.catalogue import load_catalogue

    cat, report = load_catalogue(options(workdir))
    if cat is None:
        raise SystemExit(report.text())
    return cat


def planned(workdir: Path):
    """(catalogue, pages): from the ``plan`` stage's pickle when there is one, else computed."""
    state = workdir / "state.pickle"
    if state.is_file():
        with state.open("rb") as handle:
            return pickle.load(handle)
    from mednum.pages import plan_pages

    cat = catalogue(workdir)
    return cat, plan_pages(cat, settings(workdir))


def pelican_generator(workdir: Path, cat, pages):
    """Pelican and the catalogue generator as ``Pelican.run`` sets them up, with the plan restored.

    This is ``CatalogueGenerator.generate_context`` minus its load and planning (measured by
    their own stages); Pelican's other generators (the Markdown pages) run as in a build.
    """
    from pelican import Pelican

    from mednum.assets import bundle_css
    from mednum.generator import CatalogueGenerator, template_context

    s = settings(workdir)
    pelican = Pelican(s)  # loads the plugin: Jinja filters
    context = s.copy()
    context.update(generated_content={}, static_links=set(), static_content={}, localsiteurl=s["SITEURL"])
    generators = [
        cls(
            context=context,
            settings=s,
            path=pelican.path,
            theme=pelican.theme,
            output_path=pelican.output_path,
        )
        for cls in pelican._get_generator_classes()
    ]
    ours = next(g for g in generators if isinstance(g, CatalogueGenerator))
    for g in generators:
        if g is ours:
            g.catalogue = cat
            g.pages = pages
            g.assets = bundle_css(Path(g.theme))
            context.update(template_context(cat, s), CSS_FILE=g.assets.css_file)
        elif hasattr(g, "generate_context"):
            g.generate_context()
    return pelican, generators, ours


def write_pages(gen, writer, pages) -> None:
    """What ``CatalogueGenerator.generate_output`` does for some pages (mednum.render)."""
    from mednum.render import write_pages as render_pages
    from mednum.settings import setting

    render_pages(gen, writer, pages, setting(gen.settings, "CATALOGUE_RENDER_PROCESSES"))


# --------------------------------------------------------------------------------------------------
# Stages


def stage_load(workdir: Path, clock: Clock) -> None:
    opts = options(workdir)
    with clock, paused():
        _, docs, _ = read(opts)
    clock.extra["records"] = {k: len(d.data) for k, d in docs.items()}


def stage_validate(workdir: Path, clock: Clock) -> None:
    opts = options(workdir)
    reference, docs, report = read(opts)
    with clock, paused():
        validate(opts, reference, docs, report)
    clock.extra["warnings"] = len(report.warnings)


def stage_model(workdir: Path, clock: Clock) -> None:
    opts = options(workdir)
    reference, docs, report = read(opts)
    sources = validate(opts, reference, docs, report)
    with clock, paused():
        cat = model(opts, reference, sources)
    clock.extra["sessions"] = sum(len(w.sessions) for w in cat.workshops)


def stage_plan(workdir: Path, clock: Clock) -> None:
    from mednum.pages import plan_pages

    cat = catalogue(workdir)
    s = settings(workdir)
    with clock, paused():
        pages = plan_pages(cat, s)
    kinds: dict[str, int] = {}
    for page in pages:
        kinds[page.kind] = kinds.get(page.kind, 0) + 1
    clock.extra["pages"] = len(pages)
    clock.extra["by_kind"] = kinds
    with (workdir / "state.pickle").open("wb") as handle:
        pickle.dump((cat, pages), handle, protocol=pickle.HIGHEST_PROTOCOL)


def stage_render(workdir: Path, clock: Clock) -> None:
    """Every page but the maps through Pelican's writer, the sitemap, the assets, Pelican's pages."""
    from mednum.assets import write_assets
    from mednum.search import write_search_assets

    cat, pages = planned(workdir)
    pelican, generators, gen = pelican_generator(workdir, cat, pages)
    output = Path(gen.output_path)
    chosen = [p for p in pages if p.kind != "map"]
    with clock:
        writer = pelican._get_writer()
        write_assets(Path(gen.theme), output, gen.assets)
        write_pages(gen, writer, chosen)
        gen._write_sitemap(output)
        write_search_assets(Path(gen.theme), output)
        for g in generators:
            if g is not gen and hasattr(g, "generate_output"):
                g.generate_output(writer)
    clock.extra["pages"] = len(chosen)


def stage_maps(workdir: Path, clock: Clock) -> None:
    """The map pages (Folium renders them) and write_map_files (vendor files, map.js, GeoJSON)."""
    from mednum.maps import write_map_files

    cat, pages = planned(workdir)
    pelican, _, gen = pelican_generator(workdir, cat, pages)
    maps = [p for p in pages if p.kind == "map"]
    with clock:
        writer = pelican._get_writer()
        write_map_files(pages, Path(gen.output_path), Path(gen.theme), gen.settings)
        write_pages(gen, writer, maps)
    clock.extra["maps"] = len(maps)


def stage_exports(workdir: Path, clock: Clock) -> None:
    """Every open-data file, example records included (as real records would be).

    A build leaves examples out of the national CSV and data·inclusion files; every synthetic
    record is an example, so those two files would be empty and cost nothing.
    """
    from mednum.exports import write_exports

    cat = catalogue(workdir)
    s = settings(workdir)
    with clock:
        counts = write_exports(cat, workdir / "site" / "donnees", s, include_examples=True)
    clock.extra["records"] = counts


def stage_search(workdir: Path, clock: Clock) -> None:
    """Pagefind on the pages written by render, maps and exports."""
    import shutil

    from mednum.search import BUNDLE, PARTS, index_site
    from mednum.settings import setting

    site = workdir / "site"
    s = settings(workdir)
    max_pages = setting(s, "CATALOGUE_SEARCH_INDEX_PAGES")
    part_pages = setting(s, "CATALOGUE_SEARCH_PART_PAGES")
    shutil.rmtree(site / BUNDLE, ignore_errors=True)
    with clock:
        index_site(site, max_pages, part_pages)
    clock.extra["files"] = sum(1 for _ in (site / BUNDLE).rglob("*"))
    clock.extra["parts"] = 1 + len(json.loads((site / BUNDLE / PARTS).read_text("utf-8")))


def stage_first_search(workdir: Path, clock: Clock) -> None:
    """What a first search downloads on the last whole build (``build``, else ``site``)."""
    from bench.first_search import measure
    from mednum.search import BUNDLE, PARTS

    site = next(
        s for s in (workdir / "build", workdir / "site-build", workdir / "site") if (s / BUNDLE).is_dir()
    )
    with clock:
        clock.extra["searches"] = measure(site)
    clock.extra["site"] = site.name
    clock.extra["parts"] = 1 + len(json.loads((site / BUNDLE / PARTS).read_text("utf-8")))


def stage_brochures(workdir: Path, clock: Clock) -> None:
    from mednum.build import write_brochure_pdfs

    with clock:
        pdfs = write_brochure_pdfs(workdir / "site")
    clock.extra["pdfs"] = len(pdfs)


def stage_floor(workdir: Path, clock: Clock) -> None:
    """The same pages as ``render`` with a plain jinja2.Environment: no Pelican, no validation."""
    import shutil

    from bench.floor import render_floor

    cat, pages = planned(workdir)
    s = settings(workdir)
    out = workdir / "floor"
    shutil.rmtree(out, ignore_errors=True)
    chosen = [p for p in pages if p.kind != "map"]
    env, context = _floor_setup(s, cat)
    with clock:
        render_floor(env, context, chosen, out)
    clock.extra["pages"] = len(chosen)


def _floor_setup(s: dict, cat):
    from bench.floor import environment
    from mednum.assets import bundle_css
    from mednum.generator import template_context

    theme = Path(s["THEME"])
    context = dict(s)
    context.update(
        template_context(cat, s),
        CSS_FILE=bundle_css(theme).css_file,
        localsiteurl=s["SITEURL"],
        pages=[],
    )
    return environment(theme, s["JINJA_ENVIRONMENT"]), context


STAGES = {
    "load": stage_load,
    "validate": stage_validate,
    "model": stage_model,
    "plan": stage_plan,
    "render": stage_render,
    "floor": stage_floor,
    "maps": stage_maps,
    "exports": stage_exports,
    "search": stage_search,
    "brochures": stage_brochures,
    "first-search": stage_first_search,
}


def main(argv: list[str]) -> int:
    name, workdir = argv[0], Path(argv[1]).resolve()
    profile = argv[2] if len(argv) > 2 else None
    clock = Clock()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        original_enter, original_exit = Clock.__enter__, Clock.__exit__

        def enter(self):
            result = original_enter(self)
            profiler.enable()
            return result

        def leave(self, *exc):
            profiler.disable()
            original_exit(self, *exc)

        Clock.__enter__, Clock.__exit__ = enter, leave
    STAGES[name](workdir, clock)
    if profile:
        profiler.dump_stats(profile)
    result = {
        "stage": name,
        "wall_s": round(clock.wall, 3),
        "cpu_s": round(clock.cpu, 3),
        "loadavg": [round(clock.load_before, 2), round(clock.load_after, 2)],
        "peak_rss_mb": round(max(_rss_mb(), _rss_mb(resource.RUSAGE_CHILDREN)), 1),
        "rss_before_mb": round(clock.rss_before, 1),
        "children_peak_rss_mb": round(_rss_mb(resource.RUSAGE_CHILDREN), 1),
        **clock.extra,
    }
    print("BENCH-RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
