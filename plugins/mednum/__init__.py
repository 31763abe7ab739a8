"""Pelican plugin for a département's catalogue of digital-inclusion help points.

The pipeline is one module per stage: ``yamlsource`` (read) → ``schema`` and
``checks`` (validate) → ``model`` (model) → ``pages`` (what to render) →
``generator`` (render through Pelican's writer) → ``finalize`` (search index and PDF
brochures of the written site, when Pelican runs on its own).
"""


def register() -> None:
    # Imported here so that the data tools (check, import) load without Pelican.
    from pelican import signals

    from .finalize import check_on_init, finish_site
    from .generator import add_jinja_filters, cache_compiled_templates, get_generators
    from .legal import fill_legal_info

    signals.initialized.connect(add_jinja_filters)
    signals.initialized.connect(cache_compiled_templates)
    signals.initialized.connect(check_on_init)
    signals.get_generators.connect(get_generators)
    signals.content_object_init.connect(fill_legal_info)
    signals.finalized.connect(finish_site)
