"""A small HTML tree on the standard library's parser, for tests that read built pages.

Structure matters more than strings: tests find elements by tag and class, and read their text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False, repr=False)
class Element:
    tag: str
    attrs: dict[str, str | None]
    line: int
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)
    attr_names: list[str] = field(default_factory=list)  # in source order, repeats kept

    def iter(self, *tags: str) -> Iterator[Element]:
        """This element and its descendants in document order (only those named, if tags)."""
        stack = [self]
        while stack:
            element = stack.pop()
            if not tags or element.tag in tags:
                yield element
            stack.extend(c for c in reversed(element.children) if isinstance(c, Element))

    def find_class(self, name: str) -> list[Element]:
        return [e for e in self.iter() if name in e.classes]

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return "".join(parts)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class OpenElementsParser(HTMLParser):
    """An HTML parser that keeps what is open at its position in ``self.stack``, closed as the
    tests have always read pages: a void element never stays open, nor does a self-closed one; an
    end tag closes its latest open match and everything opened after it; an end tag without one is
    ignored. ``self.stack[0]`` stands for the document and is never closed.

    A subclass says, in ``opened(tag, attrs)``, what to keep for a start tag, and in
    ``tag_of(item)`` which tag a kept item is."""

    def __init__(self, document):
        super().__init__(convert_charrefs=True)
        self.stack = [document]

    def opened(self, tag, attrs):
        raise NotImplementedError

    def tag_of(self, item) -> str:
        raise NotImplementedError

    def handle_starttag(self, tag, attrs):
        item = self.opened(tag, attrs)
        if tag not in VOID:
            self.stack.append(item)

    def handle_startendtag(self, tag, attrs):
        self.opened(tag, attrs)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.tag_of(self.stack[i]) == tag:
                del self.stack[i:]
                return


class TreeBuilder(OpenElementsParser):
    def __init__(self):
        self.root = Element("#document", {}, 0)
        super().__init__(self.root)

    def opened(self, tag, attrs):
        element = Element(
            tag, dict(attrs), self.getpos()[0], self.stack[-1], attr_names=[n for n, _ in attrs]
        )
        self.stack[-1].children.append(element)
        return element

    def tag_of(self, item) -> str:
        return item.tag

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
