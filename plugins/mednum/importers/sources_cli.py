"""``python -m mednum sources …``: see ``importers.cli``."""

from .cli import sources_main as main

__all__ = ["main"]
