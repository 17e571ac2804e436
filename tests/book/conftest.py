"""Shared fixtures: the built book (built once per test session) and its pages.

Set BRAINNET_REUSE_BUILD=1 to reuse an existing _build/html and its log instead of
rebuilding (handy while writing tests; `make test` always rebuilds).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
LOG = BUILD / "build.log"
SCREENSHOTS = BUILD / "screenshots"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclasses.dataclass
class BookBuild:
    returncode: int
    output: str
    seconds: float
    html: Path

    @property
    def warnings(self) -> list[str]:
        """Sphinx's warnings and errors ("path: WARNING: ..."); kernel log lines such as
        "[IPKernelApp] WARNING | ..." are not Sphinx warnings and are ignored, and so is
        the one known kernel-shutdown race (see `kernel_shutdown_races`)."""
        lines = self.output.splitlines()
        race = set(kernel_shutdown_races(lines))
        return [line for i, line in enumerate(lines)
                if i not in race and re.search(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE):", line)]


def kernel_shutdown_races(lines: list[str]) -> list[int]:
    """Indices of the headers of ipykernel's shutdown-race tracebacks in a build log.

    After answering a shutdown request, ipykernel 7.4's control thread flushes stderr,
    while the main thread, already told to stop, closes the IOPub thread's event pipe.
    When the flush loses the race, tornado logs "Uncaught exception in ZMQStream
    callback" and a ZMQError (ENOTSOCK). ipykernel#1518 caught the same race for the
    idle-status message, but not for this flush. The notebook has finished and its
    outputs are saved by then, so this traceback says nothing about the book. Only a
    traceback that ends exactly so, through `process_control`'s stderr flush, is
    matched; every other kernel error still counts.
    """
    header = "ERROR:tornado.general:Uncaught exception in ZMQStream callback"
    found = []
    for i, line in enumerate(lines):
        if line != header or i + 1 >= len(lines) or not lines[i + 1].startswith("Traceback"):
            continue
        end = i + 2
        while end < len(lines) and lines[end].startswith(" "):
            end += 1
        frames = "\n".join(lines[i + 2:end])
        if (end < len(lines)
                and lines[end] == "zmq.error.ZMQError: Socket operation on non-socket"
                and "in process_control" in frames and "sys.stderr.flush()" in frames):
            found.append(i)
    return found


def book_env() -> dict:
    """The environment `make book` uses: one BLAS thread, explore in static mode, no
    progress bars."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", BOOKKIT_EXPLORE="static",
               BRAINNET_PROGRESS="0")
    env.pop("MPLBACKEND", None)  # notebooks must use the inline backend
    return env


def build_book(source: Path, extra: tuple[str, ...] = ()) -> BookBuild:
    """Build a book from scratch with warnings as errors, as `make test` requires.

    Earlier output is removed first, so no stale page survives and every warning of
    every page is reported again.
    """
    for stale in ("html", ".doctrees", "jupyter_execute"):
        shutil.rmtree(source / "_build" / stale, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_book.py"), str(source), "--all", "-W", "-n",
         "--keep-going", *extra],
        cwd=source, env=book_env(), capture_output=True, text=True)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    return BookBuild(proc.returncode, output, time.perf_counter() - start,
                     source / "_build" / "html")


@pytest.fixture(scope="session")
def book() -> BookBuild:
    """The book in _build/html, built once for the whole session."""
    if os.environ.get("BRAINNET_REUSE_BUILD") == "1" and LOG.exists() and HTML.exists():
        return BookBuild(0, LOG.read_text(), 0.0, HTML)
    result = build_book(ROOT)
    LOG.parent.mkdir(exist_ok=True)
    LOG.write_text(result.output)
    return result


def toc_files() -> list[str]:
    """Every document named in _toc.yml (the root first), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(f).with_suffix("")) if Path(f).suffix in {".md", ".ipynb"} else f
            for f in files]


def chapter_notebooks() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*.ipynb"))
