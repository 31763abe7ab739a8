"""A page of the plan: its address, template, title, breadcrumbs and what its template gets.

Planners (``pages``, ``maps``, ``search``) make ``Page`` objects; they never change the
pages another planner made: what they add to them comes back as an ``Addition``, which
``pages.plan_pages`` applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .urls import Crumb


@dataclass
class Page:
    kind: str
    url: str  # site-relative, "" for the home page, always ending in "/" for folders
    template: str
    title: str
    crumbs: list[Crumb] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    in_sitemap: bool = True

    @property
    def save_as(self) -> str:
        if self.url == "" or self.url.endswith("/"):
            return f"{self.url}index.html"
        return self.url


@dataclass
class Addition:
    """What a planner adds: pages of its own, and context for pages planned before (by address)."""

    pages: list[Page] = field(default_factory=list)
    context: dict[str, dict[str, Any]] = field(default_factory=dict)

    def apply(self, planned: list[Page]) -> list[Page]:
        """Give the planned pages their added context; the planner's own pages to append."""
        for page in planned:
            extra = self.context.get(page.url)
            if extra:
                page.context.update(extra)
        return self.pages
