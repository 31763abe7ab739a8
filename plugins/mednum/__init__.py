"""Pelican plugin for the digital-inclusion catalogue of Hérault.

The pipeline is one module per stage: ``yamlsource`` (read) → ``schema`` and
``checks`` (validate) → ``model`` (model) → ``pages`` (what to render) →
``generator`` (render through Pelican's writer).
"""


def register() -> None:
    # Imported here so that the data tools (check, import) load without Pelican.
    from pelican import signals

    from .generator import add_jinja_filters, get_generators

    signals.initialized.connect(add_jinja_filters)
    signals.get_generators.connect(get_generators)
