"""The floor: the catalogue's pages rendered with a plain ``jinja2.Environment``.

Same templates (``theme/components`` then ``theme/templates``, as THEME_TEMPLATES_OVERRIDES
does), same Jinja options (JINJA_ENVIRONMENT), same filters (``mednum.filters.FILTERS``), same
pages and page contexts (``mednum.pages.plan_pages``); no Pelican writer, no validation. What
our render stage costs above this is the price of Pelican's machinery around the templates.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from mednum import urls
from mednum.filters import FILTERS


def environment(theme: Path, options: dict) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([str(theme / "components"), str(theme / "templates")])
    env = jinja2.Environment(loader=loader, **options)
    env.filters.update(FILTERS)
    env.globals.update(urls.JINJA_GLOBALS)
    return env


def render_floor(env: jinja2.Environment, context: dict, pages: list, out: Path) -> int:
    """Render and write ``pages`` under ``out``; return the bytes written."""
    written = 0
    templates: dict[str, jinja2.Template] = {}
    for page in pages:
        template = templates.get(page.template)
        if template is None:
            template = templates[page.template] = env.get_template(page.template + ".html")
        html = template.render({**context, "url": page.url, "page": page, **page.context})
        path = out / page.save_as
        os.makedirs(path.parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            written += handle.write(html)
    return written
