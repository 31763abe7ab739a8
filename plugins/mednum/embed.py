"""The catalogue on partners' websites: a page to show in a frame, per commune and per territory.

For every commune and every territory (EPCI), ``integrer/<address of its page>`` lists the help
points of its page, with their usual hours, phone and a link to their full page, for a town hall
or an association to show in an ``<iframe>`` of its own site. Such a page is light and
self-contained: no script (its policy forbids any, ``security.py``), no cookie, no request to
another server, one small stylesheet of its own (``urls.EMBED_CSS``, the site's bundle is too
heavy for a frame), links that open in the whole window (``target="_top"``). It is left out of
the sitemap and marked noindex (the page it summarises is the one to find), and has no
``data-pagefind-body``: the search index never reads it.

The page it summarises gets the code to copy (``embed`` in its context, a ``Snippet``): the
frame, with a title and the site's public address, and a plain link for sites that refuse frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from . import urls
from .french import a_place, capitalize_first
from .page import Addition, Page
from .security import content_security_policy
from .settings import setting

EMBED_FILL = 4  # a commune with fewer help points lists the nearest ones, up to this many places
EMBED_MAX = 12  # places listed at most: the page they summarise has the others

# The frame's suggested height (CSS pixels): the title and the closing link, then each place
# (measured in Chromium: about 450 px a place at 300 px wide, 330 px at 600 px), at most a screen
# or so; the frame scrolls beyond.
FRAME_TOP_PX, FRAME_PLACE_PX, FRAME_MIN_PX, FRAME_MAX_PX = 250, 400, 500, 1200


@dataclass(frozen=True)
class Snippet:
    """What a partner copies into its site to show a page's help points."""

    src: str  # absolute address of the embeddable page
    link: str  # absolute address of the page it summarises
    title: str  # the frame's title: what it holds
    height: int

    @property
    def code(self) -> str:
        """The HTML to copy. The width attribute (valid HTML, a number) is what the frame keeps
        on a site whose policy refuses style attributes; the style makes it as wide as its column."""
        return (
            f'<iframe src="{_attr(self.src)}" title="{_attr(self.title)}" width="300" height="{self.height}"'
            ' style="box-sizing: border-box; width: 100%; border: 1px solid #b1b4b6" loading="lazy"></iframe>\n'
            f'<p><a href="{_attr(self.link)}">{escape(self.title, quote=False)}</a></p>'
        )


def _attr(value: str) -> str:
    """A value for a double-quoted attribute, apostrophes left readable (« Lieux d'aide »)."""
    return escape(value, quote=False).replace('"', "&quot;")


def frame_height(places: int) -> int:
    return max(FRAME_MIN_PX, min(FRAME_MAX_PX, FRAME_TOP_PX + FRAME_PLACE_PX * places))


def plan_embed_pages(planned: list[Page], settings: dict) -> Addition:
    """An embeddable page for each commune and territory page planned, and their snippets."""
    public = (setting(settings, "CATALOGUE_PUBLIC_URL") or settings.get("SITEURL", "")).rstrip("/")
    site_name = settings.get("SITENAME", "")
    policy = content_security_policy(settings, embed=True)
    added = Addition()
    for page in planned:
        if page.kind == "commune":
            commune = page.context["commune"]
            here = page.context["sites_here"]
            nearby = page.context["nearest"][: max(0, EMBED_FILL - len(here))]
            codes = [commune.code_insee]
            territory_in = a_place(commune.nom)
            title = f"Lieux d'aide au numérique {territory_in}"
        elif page.kind == "epci":
            epci = page.context["epci"]
            here = page.context["sites"]
            nearby = page.context["nearest"][:EMBED_FILL]
            codes = list(epci.communes)
            territory_in = f"dans le territoire {epci.nom}"
            title = f"Lieux d'aide au numérique : {epci.nom}"
        else:
            continue
        url = urls.embed_of(page.url)
        shown = here[:EMBED_MAX]
        added.pages.append(
            Page(
                f"embed-{page.kind}",
                url,
                "catalogue/embed",
                page.title,
                [],
                {
                    "territory_in": territory_in,
                    "here_label": capitalize_first(territory_in)
                    if page.kind == "commune"
                    else "Dans le territoire",
                    "full_url": page.url,
                    "codes": codes,
                    "sites": shown,
                    "more": len(here) - len(shown),
                    "nearby": nearby,
                    "content_security_policy": policy,
                },
                in_sitemap=False,
            )
        )
        added.context[page.url] = {
            "embed": Snippet(
                f"{public}/{url}",
                f"{public}/{page.url}",
                f"{title} ({site_name})" if site_name else title,
                frame_height(len(shown) + len(nearby)),
            )
        }
    return added
