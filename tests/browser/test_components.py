"""Every example of theme/components/*/examples.yaml renders and passes axe-core.

The Nu Html Checker validates the same files in test_html_validation.py.
"""

from __future__ import annotations

import gzip

import pytest
from html_tree import Element, parse_html

from browser_harness import WCAG_TAGS, describe_violations, run_axe
from mednum.assets import bundle_css

from .component_examples import THEME, example_files, load_examples

EXAMPLES = [f"{path.parent.name}/{e['name']}" for path in example_files() for e in load_examples(path)]
CSS_BUDGET_GZIP = 8 * 1024


def test_every_component_has_examples():
    """Each component has an examples.yaml (empty only with a comment saying where it is checked)."""
    components = sorted(p.name for p in (THEME / "components").iterdir() if p.is_dir())
    with_examples = sorted(p.parent.name for p in example_files())
    assert components == with_examples
    for path in example_files():
        load_examples(path)


def test_css_bundle_stays_small():
    css = bundle_css(THEME).css.encode()
    assert len(gzip.compress(css, 9)) <= CSS_BUDGET_GZIP


def test_every_example_renders(component_pages):
    assert sorted(component_pages) == sorted(EXAMPLES)
    for key, path in component_pages.items():
        main = next(parse_html(path.read_text(encoding="utf-8")).iter("main"))
        # What the macro wrote: the page's <main> holds its <h1>, then the macro's output.
        heading, *output = [c for c in main.children if isinstance(c, Element)]
        assert heading.tag == "h1" and output, f"{key}: the macro wrote no element"


@pytest.mark.browser
@pytest.mark.parametrize("key", EXAMPLES)
def test_example_passes_axe(shared_page, component_pages, key):
    shared_page.goto(component_pages[key].as_uri())
    violations = run_axe(shared_page, [*WCAG_TAGS, "best-practice"])
    assert not violations, describe_violations(violations, key)
