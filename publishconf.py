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
# A deployment fills them without editing code: environment variables (in GitHub Actions, the
# repository's variables, passed by deploy.yml) win over pelicanconf.py. An address may span lines.
LEGAL_FROM_ENVIRONMENT = (
    "CATALOGUE_PUBLICATION_DIRECTOR",
    "CATALOGUE_HOST",
    "CATALOGUE_POSTAL_ADDRESS",
    "CATALOGUE_CODE_LICENSE",
    "CATALOGUE_ACCESSIBILITY_PLAN_URL",
    "CATALOGUE_CONTACT_EMAIL",
    "CATALOGUE_REPOSITORY_URL",
)
globals().update({name: os.environ[name] for name in LEGAL_FROM_ENVIRONMENT if os.environ.get(name)})
