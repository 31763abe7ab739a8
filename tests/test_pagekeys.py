"""A page's key (``mednum.pagekeys``) tells apart what a template could render differently.

``tests/test_incremental.py`` checks the keys through whole builds; these check the digest's
rules one by one: two values get the same key only when they are the same data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from pathlib import PurePosixPath

import pytest
from markupsafe import Markup

from mednum.pagekeys import NOT_RENDERED, Digester


def key(value, environment: str = "env") -> str | None:
    return Digester().key(environment, value)


@dataclasses.dataclass
class Place:
    name: str
    line: int = dataclasses.field(default=0, metadata=NOT_RENDERED)
    workshops: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Other:
    name: str
    line: int = 0
    workshops: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Session:
    title: str
    place: Place | None = None


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@pytest.mark.parametrize(
    "one, two",
    [
        (1, "1"),
        (1, True),
        (0, False),
        (1, 1.0),
        (None, "None"),
        ("", None),
        (dt.date(2026, 12, 4), dt.datetime(2026, 12, 4)),
        (dt.date(2026, 12, 4), "2026-12-04"),
        (dt.time(12, 30), "12:30"),
        ("<b>", Markup("<b>")),
        (Colour.RED, "red"),
        (Colour.RED, Colour.BLUE),
        (PurePosixPath("a/b"), "a/b"),
        (b"ab", "ab"),
        (["ab", "c"], ["a", "bc"]),
        (["a", "b"], ["b", "a"]),
        (["a"], ("a",)),
        ([], {}),
        ({"a": 1}, {"a": 2}),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # a template loops over a dict in its order
        ([["a"], "b"], ["a", ["b"]]),
        ({"a"}, ["a"]),
        (Place("Lunel"), Place("Lunel ")),
        (Place("Lunel"), Other("Lunel")),  # another type, the same fields
        (Place("Lunel"), Session("Lunel")),
        (Place("Lunel", workshops=[Session("x")]), Place("Lunel", workshops=[Session("y")])),
    ],
)
def test_different_values_get_different_keys(one, two):
    assert key(one) is not None and key(two) is not None
    assert key(one) != key(two)


@pytest.mark.parametrize(
    "one, two",
    [
        ({"a", "b", "c"}, {"c", "b", "a"}),  # a set has no order of its own
        (frozenset({1, 2}), frozenset({2, 1})),
        (Place("Lunel", line=3), Place("Lunel", line=40)),  # where a record is: not rendered
        ([Place("Lunel"), Place("Lunel")], [Place("Lunel")] * 2),  # equal values, not identity
        (dt.date(2026, 12, 4), dt.date(2026, 12, 4)),
    ],
)
def test_same_data_same_key(one, two):
    assert key(one) is not None
    assert key(one) == key(two)


@dataclasses.dataclass(frozen=True)
class Crumb:
    label: str
    url: str


@dataclasses.dataclass(frozen=True)
class Link:
    label: str
    url: str


@pytest.mark.parametrize(
    "one, two",
    [
        ((1,), (True,)),
        (("1",), (1,)),
        ((1.0,), (1,)),
        ((None,), ("None",)),
        (("a", "b"), ("a, b",)),
        (("a'",), ('a"',)),
        (("<b>",), (Markup("<b>"),)),
        ((["a"],), (("a",),)),
        (Crumb("a", "b"), Link("a", "b")),  # another type, the same fields
        (Crumb("a", "b"), ("a", "b")),
        (Crumb("a", "b"), Crumb("b", "a")),
        (list("abcdefghijklmnopq"), list("abcdefghijklmnopr")),  # longer than written out
    ],
)
def test_short_containers_of_texts_and_numbers_are_told_apart(one, two):
    """Tuples, lists and records of texts, numbers and booleans only are written out rather
    than walked (``_written_out``): alone, and as items of a page, they still differ."""
    for wrap in (lambda value: value, lambda value: {"items": [value, value], "crumbs": (value,)}):
        assert key(wrap(one)) is not None and key(wrap(two)) is not None
        assert key(wrap(one)) != key(wrap(two))


def test_written_out_values_are_never_remembered():
    """A remembered digest is taken without asking whether the value could be written out: a
    value written out must never be remembered, or its digest would depend on the way it was
    first reached (the same key with or without digests made by another process)."""
    crumb, place = Crumb("Accueil", "/"), Place("Lunel")
    digester = Digester()
    digester.remember([[crumb, place], {crumb}])
    assert id(crumb) not in digester.known().digests and id(place) in digester.known().digests
    page = {"crumbs": [crumb], "place": place, "also": {crumb}}
    assert Digester(digester.known()).key("env", page) == key(page)


def test_the_environment_is_in_the_key():
    assert key("a", "env") != key("a", "other")


def test_a_shared_object_changed_between_builds_changes_the_key():
    place = Place("Lunel")
    page = {"place": place, "nearest": [place]}
    before = Digester().key("env", page)
    place.name = "Lunel-Viel"
    assert Digester().key("env", page) != before
    # Within one build a digest is remembered: keys are taken once the plan is complete.
    digester = Digester()
    assert digester.key("env", page) == digester.key("env", {"place": place, "nearest": [place]})


def test_objects_that_point_at_each_other():
    def pair(title: str) -> Place:
        place = Place("Lunel")
        place.workshops.append(Session(title, place))
        return place

    assert key(pair("a")) == key(pair("a"))
    assert key(pair("a")) != key(pair("b"))
    # The same cycle reached from another page, and first from the workshop's side.
    digester, place = Digester(), pair("a")
    one = digester.key("env", {"page": place})
    two = digester.key("env", {"page": place.workshops[0]})
    assert one != two
    assert Digester().key("env", {"page": place.workshops[0]}) == two
    assert Digester().key("env", {"page": place}) == one


def test_a_value_of_an_unknown_kind_gives_no_key():
    class Opaque:
        pass

    assert key(Opaque()) is None
    assert key({"a": [1, Opaque()]}) is None
    assert key(Place) is None  # a dataclass itself, not one of its values
    assert key(lambda: 1) is None


def test_subclasses_of_containers_are_told_apart():
    class Ordered(dict):
        pass

    assert key(Ordered(a=1)) is not None
    assert key(Ordered(a=1)) != key({"a": 1})


@dataclasses.dataclass(eq=False)
class Node:
    name: str
    links: list = dataclasses.field(default_factory=list)


def random_graph(seed: int) -> tuple[list[Node], list[dict]]:
    """Nodes with links among them (cycles of every length, self-links) and pages that reach
    some of them."""
    import random

    chance = random.Random(seed)
    nodes = [Node(f"n{i}") for i in range(chance.randint(2, 12))]
    for node in nodes:
        node.links = chance.choices(nodes, k=chance.randint(0, 3))
    pages = [
        {"title": f"p{i}", "nodes": chance.sample(nodes, chance.randint(1, min(3, len(nodes))))}
        for i in range(8)
    ]
    return nodes, pages


def reaches(value, target: Node) -> bool:
    seen, todo = set(), [value]
    while todo:
        item = todo.pop()
        if item is target:
            return True
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, Node):
            todo.append(item.links)
    return False


@pytest.mark.parametrize("seed", range(100))
def test_a_pages_key_does_not_depend_on_the_pages_digested_before_it(seed):
    """The pages of a build are dealt out to the rendering processes in turn: one page added
    and the others change process, so each is digested after other pages than before."""
    import random

    nodes, pages = random_graph(seed)
    alone = [Digester().key("env", page) for page in pages]
    for order in range(3):
        shuffled = list(range(len(pages)))
        random.Random(order).shuffle(shuffled)
        digester = Digester()
        keys = {i: digester.key("env", pages[i]) for i in shuffled}
        assert [keys[i] for i in range(len(pages))] == alone, (seed, order)
    # Or after digests made by another digester (``Known``), of some nodes or of all.
    for count in (1, len(nodes)):
        helper = Digester()
        helper.remember(random.Random(seed).sample(nodes, count))
        seeded = Digester(helper.known())
        assert [seeded.key("env", page) for page in pages] == alone, (seed, count)
    # A renamed node changes the key of exactly the pages that reach it.
    renamed = random.Random(seed).choice(nodes)
    renamed.name += "'"
    digester = Digester()
    again = [digester.key("env", page) for page in pages]
    for page, before, after in zip(pages, alone, again, strict=True):
        assert (before != after) == reaches(page, renamed), (seed, page["title"])


def test_known_digests_are_those_of_the_model_objects():
    """What a process hands over (``Digester.known``): its objects' digests, not those of the
    containers inside them, which a page reaches through their object."""
    place = Place("Médiathèque", workshops=[Session("Atelier")])
    place.workshops[0].place = place
    helper = Digester()
    helper.remember([[place], list(place.workshops)])  # as the catalogue's places and workshops
    known = helper.known()
    assert set(known.digests) == {id(place), id(place.workshops[0])}
    # They point at each other (through the list of workshops): one cycle.
    assert len({known.cycles[id(place)], known.cycles[id(place.workshops[0])]}) == 1
    assert Digester(known).key("env", {"page": place}) == key({"page": place})
