"""Markdown from partners' records, rendered without any raw HTML.

Raw HTML blocks and inline tags are not parsed (they come out escaped), and
links or images whose address is not http(s), mailto or tel are dropped to
their text, so a record can never run script in a visitor's browser.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


class _SafeLinks(Treeprocessor):
    def run(self, root: Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "img":
                    # Records carry no images: keep the alternative text only.
                    _replace_with_text(parent, child, child.get("alt", ""))
                elif child.tag == "a":
                    href = (child.get("href") or "").strip()
                    if not href.lower().startswith(SAFE_SCHEMES):
                        _replace_with_text(parent, child, "".join(child.itertext()))
                    else:
                        child.set("rel", "nofollow")
        # Headings in records must not outrank the page's own headings.
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3"):
                element.tag = "h4"


def _replace_with_text(parent: Element, child: Element, text: str) -> None:
    index = list(parent).index(child)
    tail = (text or "") + (child.tail or "")
    parent.remove(child)
    if index == 0:
        parent.text = (parent.text or "") + tail
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + tail


class _NoHtml(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


_converter: markdown.Markdown | None = None


def render(text: str) -> str:
    # One converter per process, reset between texts: setting up the extensions took a third
    # of the time of a short text. (Pages are rendered in processes, never threads.)
    global _converter
    if _converter is None:
        _converter = markdown.Markdown(extensions=[_NoHtml(), "sane_lists"], output_format="html")
    return _converter.reset().convert(text)
