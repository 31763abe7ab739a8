"""Pelican settings for publishing: absolute addresses."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://numerique.herault.example")
CATALOGUE_PUBLIC_URL = os.environ.get("CATALOGUE_PUBLIC_URL", SITEURL)
CATALOGUE_PDF_BROCHURES = True
# The legal notice and the accessibility statement must be complete to publish: the build stops,
# listing what to fill in pelicanconf.py, while a legal setting is empty or an example.
CATALOGUE_REQUIRE_LEGAL_INFO = True
