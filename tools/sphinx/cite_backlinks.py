"""Links from the bibliography back to where each work is cited.

sphinxcontrib-bibtex links every citation in a chapter to its entry in the full list
(bibliography.md), but not the other way. After the HTML is written, this extension
gives each citation link an id (``cite-<entry>-<n>``) and adds a "Cited in" line under
each entry of the full list, with one link per page, to the first place that page
cites it. A reader who looked a work up can go back to the sentence they came from, or
find the other chapters that use it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

BIBLIOGRAPHY = "bibliography.html"
CITATION = re.compile(
    r'<a class="reference internal" href="(?:\.\./)*' + re.escape(BIBLIOGRAPHY)
    + r'#([\w-]+)"(?: id="(cite-[\w-]+)")?')
TITLE = re.compile(r"<title>(.*?)(?:\s+&#8212;.*)?</title>", re.S)


def mark_citations(page: Path, relative: str) -> tuple[str, list[tuple[str, str]]]:
    """Give each citation link of ``page`` an id; return the page's title and
    ``(entry, link)`` for the first citation of each entry, ``link`` relative to the
    site root."""
    text = page.read_text(encoding="utf-8")
    first: dict[str, str] = {}
    count = 0

    def add_id(match: re.Match) -> str:
        nonlocal count
        entry, anchor = match.group(1), match.group(2)   # an id from an earlier build
        count += 1
        anchor = anchor or f"cite-{entry}-{count}"
        first.setdefault(entry, f"{relative}#{anchor}")
        return f'{match.group(0).split(" id=")[0]} id="{anchor}"'

    marked = CITATION.sub(add_id, text)
    if count:
        page.write_text(marked, encoding="utf-8")
    found = TITLE.search(text)
    title = html.unescape(found.group(1)).strip() if found else page.stem
    return title, list(first.items())


def add_backlinks(outdir: Path) -> int:
    """Mark every page's citations and write the "Cited in" lines; returns how many
    entries got one."""
    bibliography = outdir / BIBLIOGRAPHY
    if not bibliography.exists():
        return 0
    cited: dict[str, list[tuple[str, str]]] = {}
    for page in sorted(outdir.rglob("*.html")):
        relative = page.relative_to(outdir).as_posix()
        if relative == BIBLIOGRAPHY or relative.startswith(("_", "genindex", "search")):
            continue
        title, firsts = mark_citations(page, relative)
        for entry, link in firsts:
            cited.setdefault(entry, []).append((title, link))
    # "Cited in" lines hold no other <span>; drop any left by an earlier build
    text = re.sub(r' <span class="cited-in">.*?</span>', "",
                  bibliography.read_text(encoding="utf-8"))
    done = 0
    for entry, places in cited.items():
        # the entry's element opens with id="<entry>"; its text ends at the next </p>
        start = text.find(f'id="{entry}"')
        if start < 0:
            continue
        end = text.find("</p>", start)
        if end < 0:
            continue
        links = ", ".join(f'<a href="{html.escape(link)}">{html.escape(title)}</a>'
                          for title, link in places)
        line = f' <span class="cited-in">Cited in {links}.</span>'
        text = text[:end] + line + text[end:]
        done += 1
    bibliography.write_text(text, encoding="utf-8")
    return done


def build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        add_backlinks(Path(app.outdir))


def setup(app):
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
