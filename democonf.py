"""Pelican settings of the demo site (``make demo``): the fictional example records of ``demo/``.

The demo dataset shows every page type (itinerant stops, accessibility, workshops, trainings…)
for tests and for people who want to see the site at work. It is never published.
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: F403
from pelicanconf import ROOT

CATALOGUE_DATA_PATH = str(ROOT / "demo")
CATALOGUE_REFERENCE_PATH = str(ROOT / "data" / "reference")
CATALOGUE_ALLOW_EXAMPLES = True
