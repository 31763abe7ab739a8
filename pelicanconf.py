"""Pelican settings for a local build (``make site``)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent

AUTHOR = "Département de l'Hérault"
SITENAME = "Aide au numérique dans l'Hérault"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
LOCALE = ("C.UTF-8", "C")  # French formatting is done in code, never by the locale
DEFAULT_DATE = "fs"

THEME = str(ROOT / "theme")
PLUGIN_PATHS = [str(ROOT / "plugins")]
PLUGINS = ["mednum"]

# Only our pages: no blog, no feeds, no author/tag/category archives.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
DIRECT_TEMPLATES: list[str] = []
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
ARTICLE_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
STATIC_PATHS: list[str] = []
SLUGIFY_SOURCE = "basename"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = False
OUTPUT_RETENTION: list[str] = []
RELATIVE_URLS = False
TYPOGRIFY = False
MARKDOWN = {
    "extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.toc": {}},
    "output_format": "html5",
}

CATALOGUE_DATA_PATH = str(ROOT / "data")
CATALOGUE_SCHEMAS_PATH = str(ROOT / "schemas")
CATALOGUE_PUBLIC_URL = "https://numerique.herault.example"
CATALOGUE_CONTACT_EMAIL = "numerique@herault.example"
CATALOGUE_REPOSITORY_URL = "https://github.com/herault/catalogue-mediation-numerique"
# Legal notice and accessibility statement (content/pages/, plugins/mednum/legal.py): empty here,
# the pages say « non renseigné »; publishconf.py refuses to build until they are filled.
CATALOGUE_PUBLICATION_DIRECTOR = ""  # "Prénom Nom, fonction"
CATALOGUE_HOST = ""  # "Nom de l'hébergeur\nAdresse\nCode postal Ville\nTéléphone"
CATALOGUE_POSTAL_ADDRESS = ""  # "Service…\nHôtel du Département…\n34087 Montpellier Cedex 4"
CATALOGUE_CODE_LICENSE = ""  # "EUPL 1.2", for example
CATALOGUE_ACCESSIBILITY_PLAN_URL = ""  # the Département's multi-year accessibility plan (https://…)

THEME_TEMPLATES_OVERRIDES = [str(ROOT / "theme" / "components")]
THEME_STATIC_PATHS: list[str] = []  # the plugin writes the theme's assets itself (bundled CSS)
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
MENU = [
    ("", "Trouver de l'aide"),
    ("ateliers/", "Ateliers"),
    ("pass-numerique/", "Pass numérique"),
    ("formations/", "Professionnels"),
    ("recherche/", "Rechercher"),
]
