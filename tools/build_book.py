"""``jupyter-book build``, reading (and so executing) several pages at once.

    python tools/build_book.py . --all -W -n --keep-going

Takes exactly the arguments of ``jupyter-book build``. Executing the chapters is
nearly all of a build, and each runs on one core (one BLAS thread), so one chapter at
a time leaves the second core idle. Jupyter Book 1 can hand Sphinx a number of worker
processes but its command line never does; this passes ``BOOK_JOBS`` of them (default
4; each runs one kernel at a time, of at most 1.5 GB). Sphinx cuts the sorted pages
into equal runs, one per worker: four runs of three or four pages keep both cores busy
almost to the end, where two runs of seven would leave one core waiting. myst-nb and
the book's own extensions declare themselves safe for parallel reading;
``tools/sphinx/parallel_pages.py`` vouches for the two that do not. An extension added
without a declaration makes Sphinx warn and read serially, which fails a ``-W`` build.
"""

from __future__ import annotations

import functools
import os
import sys

import jupyter_book.sphinx
from jupyter_book.cli.main import main


def jobs() -> int:
    """The number of reader processes: BOOK_JOBS, 4 if unset."""
    value = os.environ.get("BOOK_JOBS", "4")
    if not value.isdigit() or int(value) < 1:
        sys.exit(f"build_book: BOOK_JOBS must be a whole number of processes, 1 or more, "
                 f"got {value!r}. Use 1 to execute one notebook at a time.")
    return int(value)


if __name__ == "__main__":
    # `jupyter-book build` imports build_sphinx from this module when it runs
    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx,
                                                         jobs=jobs())
    main(["build", *sys.argv[1:]])
