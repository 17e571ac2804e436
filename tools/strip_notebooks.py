"""Remove outputs and run-specific metadata from notebooks, so that git holds only
what authors wrote (`make strip`). With --check, change nothing and exit 1 if any
notebook still needs stripping (the tests use this).

    python tools/strip_notebooks.py chapters/*.ipynb
    python tools/strip_notebooks.py --check chapters/*.ipynb
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

CELL_KEYS = ("collapsed", "scrolled", "execution", "ExecuteTime")
NOTEBOOK_KEYS = ("widgets", "varInspector", "toc")


def strip(nb) -> bool:
    """Strip ``nb`` in place; return True if anything changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.outputs or cell.execution_count is not None:
                cell.outputs, cell.execution_count, changed = [], None, True
        for key in CELL_KEYS:
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
        if "attachments" in cell and not cell.attachments:
            del cell["attachments"]
            changed = True
    for key in NOTEBOOK_KEYS:
        if key in nb.metadata:
            del nb.metadata[key]
            changed = True
    info = nb.metadata.get("language_info", {})
    extra = set(info) - {"name"}
    if extra:
        nb.metadata["language_info"] = {"name": info.get("name", "python")}
        changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not change")
    args = parser.parse_args(argv)
    dirty = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            dirty.append(path)
            if not args.check:
                nbformat.write(nb, path)
    verb = "need stripping (run `make strip`)" if args.check else "stripped"
    for path in dirty:
        print(f"{path}: {verb}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
