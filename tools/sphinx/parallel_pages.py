"""Let Sphinx read the pages in several processes (``tools/build_book.py`` asks for them).

Sphinx reads in parallel only if every extension says it is safe to. Two that Jupyter
Book always loads say nothing about reading, so Sphinx would read serially, and warn,
which fails a ``-W`` build. Both are safe, and this extension says so on their behalf:

- ``sphinx_multitoc_numbering`` replaces ``TocTreeCollector.assign_section_numbers``
  at setup; Sphinx calls that in the main process, after merging the workers' results.
- ``sphinx_jupyterbook_latex`` adds transforms that change only the page being read;
  everything else it does is for the LaTeX builder, which the book does not use.

Check a new Jupyter Book release against this list: an extension added without a
declaration shows up as Sphinx's "does not declare if it is safe" warning.
"""

from __future__ import annotations

from sphinx.application import Sphinx

VOUCHED_FOR = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")


def _vouch(app: Sphinx, config: object) -> None:
    for name in VOUCHED_FOR:
        extension = app.extensions.get(name)
        if extension is not None:
            extension.parallel_read_safe = True
            extension.parallel_write_safe = True


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _vouch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
