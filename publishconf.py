"""Pelican settings for publishing: absolute addresses."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://numerique.herault.example")
CATALOGUE_PUBLIC_URL = os.environ.get("CATALOGUE_PUBLIC_URL", SITEURL)
CATALOGUE_PDF_BROCHURES = True
