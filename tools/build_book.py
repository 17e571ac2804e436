"""``jupyter-book build``, reading (and so executing) several pages at once.

    python tools/build_book.py . --all -W -n --keep-going

Takes exactly the arguments of ``jupyter-book build``. Executing the chapters is
nearly all of a build, and each runs on one core (one BLAS thread), so one chapter at
a time leaves the second core idle. Jupyter Book 1 can hand Sphinx a number of worker
processes but its command line never does; this passes ``BOOK_JOBS`` of them (default
4). Sphinx cuts the sorted pages into equal runs, one per worker, and four runs of
three or four pages keep both cores busy to the end, where two runs of seven leave
one core waiting. myst-nb and the book's own extensions declare themselves safe for
parallel reading; an extension that did not would make Sphinx fall back to one
process, with a warning, which fails a ``-W`` build.
"""

from __future__ import annotations

import functools
import os
import sys

import jupyter_book.sphinx
from jupyter_book.cli.main import main

JOBS = int(os.environ.get("BOOK_JOBS", "4"))

if __name__ == "__main__":
    # `jupyter-book build` imports build_sphinx from this module when it runs
    jupyter_book.sphinx.build_sphinx = functools.partial(jupyter_book.sphinx.build_sphinx,
                                                         jobs=JOBS)
    main(["build", *sys.argv[1:]])
