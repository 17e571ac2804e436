"""The book builds cleanly, every page in the table of contents exists, and the HTML
loads nothing from outside its own folder.

The build itself (conftest.book) is `jupyter-book build . --all -W -n --keep-going`,
through tools/build_book.py (pages read in parallel), with explore in static mode, the
way `make book` renders it.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import HTML, ROOT, BookBuild, chapter_notebooks, toc_files

PAGE_BUDGET_BYTES = 3_000_000      # one built page, frames included (readers asked < 3 MB)
FRAME_BUDGET_BYTES = 200_000       # one frame of a frame player (base64, ~150 kB of PNG)


class ResourceCollector(HTMLParser):
    """Collects what a page *loads* (scripts, stylesheets, icons, images, media, frames,
    inline CSS urls), and its images' alt text. Plain <a href> links are not loads."""

    LOADING_REL = {"stylesheet", "preload", "modulepreload", "prefetch", "icon",
                   "shortcut", "apple-touch-icon", "manifest", "prerender", "dns-prefetch",
                   "preconnect"}

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.images: list[dict] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in {"script", "img", "iframe", "embed", "source", "audio", "video", "track"}:
            self.loads += [a[k] for k in ("src", "data-src") if a.get(k)]
            if a.get("srcset"):
                self.loads += [part.split()[0] for part in a["srcset"].split(",")]
        if tag == "link" and self.LOADING_REL & set((a.get("rel") or "").lower().split()):
            self.loads.append(a.get("href") or "")
        if tag == "object" and a.get("data"):
            self.loads.append(a["data"])
        if a.get("style"):
            self.loads += css_urls(a["style"])
        if tag == "img":
            self.images.append(a)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.loads += css_urls(data)


def css_urls(css: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    found += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return found


def is_external(url: str) -> bool:
    """True for anything that leaves the site: http(s)://, protocol-relative //host."""
    url = url.strip()
    return bool(urlparse(url).netloc) or url.startswith("//")


def built_pages() -> list[Path]:
    return sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)


def parse(page: Path) -> ResourceCollector:
    collector = ResourceCollector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector


def test_build_succeeds_with_zero_warnings(book):
    assert book.warnings == [], "the book build warned:\n" + "\n".join(book.warnings)
    assert book.returncode == 0, book.output[-3000:]
    assert "build succeeded" in book.output


SHUTDOWN_RACE = """\
ERROR:tornado.general:Uncaught exception in ZMQStream callback
Traceback (most recent call last):
  File "zmq/eventloop/zmqstream.py", line 585, in _log_error
    f.result()
  File "ipykernel/kernelbase.py", line 372, in dispatch_control
    await self.process_control(msg)
  File "ipykernel/kernelbase.py", line 408, in process_control
    sys.stderr.flush()
  File "ipykernel/iostream.py", line 343, in schedule
    self._event_pipe.send(b"")
zmq.error.ZMQError: Socket operation on non-socket"""


@pytest.mark.parametrize("log, counted", [
    (SHUTDOWN_RACE, 0),
    # the same header over any other traceback still counts
    (SHUTDOWN_RACE.replace("on non-socket", "temporarily unavailable"), 1),
    (SHUTDOWN_RACE.replace("in process_control", "in dispatch_shell"), 1),
    (SHUTDOWN_RACE.replace("Traceback (most recent call last):", "something else"), 1),
    (SHUTDOWN_RACE + "\nchapters/x.ipynb: WARNING: a Sphinx warning", 1),
    ("chapters/x.md:3: ERROR: Unknown directive type", 1),
])
def test_only_the_kernel_shutdown_race_is_excused(log, counted):
    assert len(BookBuild(0, log, 0.0, HTML).warnings) == counted


def test_every_toc_page_is_built(book):
    missing = [f for f in toc_files() if not (book.html / f"{f}.html").exists()]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"
    assert (book.html / "index.html").exists()


def test_every_chapter_is_in_the_toc():
    listed = set(toc_files())
    absent = [nb.name for nb in chapter_notebooks()
              if f"chapters/{nb.stem}" not in listed]
    assert not absent, f"chapters missing from _toc.yml (they would not be built): {absent}"


def test_pages_load_nothing_from_outside_the_site(book):
    offenders = {}
    for page in built_pages():
        external = [u for u in parse(page).loads if is_external(u)]
        if external:
            offenders[str(page.relative_to(book.html))] = external
    assert not offenders, f"pages load external resources: {offenders}"


def test_stylesheets_load_nothing_from_outside_the_site(book):
    offenders = {}
    for sheet in (book.html / "_static").rglob("*.css"):
        external = [u for u in css_urls(sheet.read_text(encoding="utf-8", errors="replace"))
                    if is_external(u)]
        if external:
            offenders[str(sheet.relative_to(book.html))] = external
    assert not offenders, f"stylesheets point outside the site (fonts?): {offenders}"


def test_local_resources_exist(book):
    """Every relative script/stylesheet/image a page loads is in the build."""
    missing = {}
    for page in built_pages():
        for url in parse(page).loads:
            if is_external(url) or url.startswith(("data:", "#", "about:")) or not url:
                continue
            target = (page.parent / urlparse(url).path).resolve()
            if not target.exists():
                missing.setdefault(str(page.relative_to(book.html)), []).append(url)
    assert not missing, f"pages load files that are not in the build: {missing}"


def test_images_have_alt_text(book):
    bad = {}
    for page in built_pages():
        for img in parse(page).images:
            alt = (img.get("alt") or "").strip()
            src = img.get("src") or ""
            if not alt or alt == src or re.search(r"\.(png|jpe?g|svg|gif)$", alt):
                bad.setdefault(str(page.relative_to(book.html)), []).append(src[:60])
    assert not bad, f"images without real alt text: {bad}"


def test_chapters_render_experiments_as_frame_players(book):
    """explore() in static mode: a frame player and the unlock note, never frozen widgets."""
    listed = set(toc_files())
    for nb in chapter_notebooks():
        if f"chapters/{nb.stem}" not in listed:
            continue  # test_every_chapter_is_in_the_toc reports it
        html = (book.html / "chapters" / f"{nb.stem}.html").read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-view+json" not in html, (
            f"{nb.name}: a live widget was saved into the static book; it would sit frozen")
        if "explore(" in nb.read_text(encoding="utf-8"):
            assert 'class="brainnet-player"' in html, f"{nb.name}: no frame player"
            assert "unlock every control" in html, f"{nb.name}: no unlock note"


def test_pages_stay_light(book):
    report = []
    for page in built_pages():
        size = page.stat().st_size
        report.append((size, page.name))
        assert size < PAGE_BUDGET_BYTES, f"{page.name} weighs {size / 1e6:.1f} MB"
        frames = re.findall(r'"data:image/png;base64,([A-Za-z0-9+/=]+)"', page.read_text())
        heavy = [len(f) for f in frames if len(f) > FRAME_BUDGET_BYTES]
        assert not heavy, f"{page.name}: frames of {heavy} bytes; lower the dpi or size"
    print("page weights:", ", ".join(f"{name} {size / 1e3:.0f} kB" for size, name in report))


def test_vendored_assets_match_their_checksums():
    """book_assets/ is what tools/vendor_assets.sh fetched, byte for byte."""
    assets = ROOT / "book_assets"
    lines = (assets / "VERSIONS").read_text().splitlines()
    sums = [line.split(maxsplit=1) for line in lines if re.match(r"^[0-9a-f]{64}\s", line)]
    assert sums, "VERSIONS lists no checksums; re-run tools/vendor_assets.sh"
    for digest, name in sums:
        data = (assets / name.strip()).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name} differs from the npm copy"


@pytest.mark.parametrize("name", ["mathjax/tex-chtml.js", "requirejs/require.js",
                                  "widgets/setup.js", "widgets/vendor/embed-amd.js"])
def test_offline_assets_are_copied_into_the_build(book, name):
    assert (book.html / "_static" / name).exists()


def test_chapter_notebooks_are_stripped():
    """Outputs stay out of git: `make strip` before committing."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("strip_notebooks",
                                                  ROOT / "tools" / "strip_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    notebooks = [str(p) for p in chapter_notebooks()]
    assert not notebooks or module.main(["--check", *notebooks]) == 0, (
        "chapter notebooks contain outputs or run metadata; run `make strip`")


def test_no_figure_is_shown_twice(book):
    """A cell that displays a figure and also returns it shows it twice; catch that."""
    for page in built_pages():
        sources = [img.get("src") for img in parse(page).images
                   if "brainnet-figure" in (img.get("class") or "")]
        repeated = len(sources) - len(set(sources))
        assert not repeated, f"{page.name}: {repeated} figure(s) appear twice"


# Run output a reader should never see: wall-clock timings ("trained in 39 s",
# "1.8 s") and progress lines, which say how this build's machine did, not the model.
STRAY_OUTPUT = re.compile(r"\b\d+(\.\d+)? ?s\b(?! *[=(])|\bstep \d+/\d+|\btrained: ")


def test_no_timing_or_progress_lines_in_outputs(book):
    stray = {}
    for page in built_pages():
        for block in re.findall(r'<div class="cell_output docutils container">(.*?)</div>\s*</div>',
                                page.read_text(encoding="utf-8"), flags=re.S):
            text = re.sub(r"<[^>]+>", "", block)
            if "data:image" in block:
                continue
            for line in text.splitlines():
                if STRAY_OUTPUT.search(line):
                    stray.setdefault(page.name, []).append(line.strip()[:80])
    assert not stray, f"timing or progress lines in the built pages: {stray}"


def test_every_glossary_term_has_its_chinese_term():
    """Each entry: the English term, then its Chinese term on the next line."""
    text = (ROOT / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries = re.split(r"\n\s*\n", block.split(":sorted:", 1)[1].strip())
    missing = []
    for entry in entries:
        lines = entry.splitlines()
        if len(lines) < 3 or not re.search(r"[\u4e00-\u9fff]", lines[1]) or lines[1][0] == " ":
            missing.append(lines[0])
    assert len(entries) >= 80, f"only {len(entries)} glossary entries"
    assert not missing, f"glossary entries without a Chinese term: {missing}"


def test_bibliography_links_back_to_every_citing_page(book):
    """Each entry of the full list says where it is cited, and each link lands on a
    citation (tools/sphinx/cite_backlinks.py)."""
    bibliography = (HTML / "bibliography.html").read_text(encoding="utf-8")
    entries = re.findall(r'role="doc-biblioentry"', bibliography)
    lines = re.findall(r'<span class="cited-in">Cited in (.*?)</span>', bibliography)
    assert entries and len(lines) == len(entries), (
        f"{len(entries)} entries, {len(lines)} with a 'Cited in' line")
    for line in lines:
        for href in re.findall(r'href="([^"]+)"', line):
            page, anchor = href.split("#")
            assert f'id="{anchor}"' in (HTML / page).read_text(encoding="utf-8"), href


def test_backlinks_are_added_once(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "tools" / "sphinx"))
    from cite_backlinks import add_backlinks

    (tmp_path / "chapters").mkdir()
    cite = '<a class="reference internal" href="../bibliography.html#id7" title="x">'
    (tmp_path / "chapters" / "one.html").write_text(
        f"<title>1. One &#8212; Book</title>{cite}A</a> and {cite}A again</a>")
    (tmp_path / "bibliography.html").write_text(
        '<div id="id7" role="doc-biblioentry"><p>Author. Title.</p></div>')
    assert add_backlinks(tmp_path) == 1
    assert add_backlinks(tmp_path) == 1                    # a rebuild adds nothing twice
    page = (tmp_path / "chapters" / "one.html").read_text()
    assert page.count('id="cite-id7-1"') == 1 and page.count('id="cite-id7-2"') == 1
    bib = (tmp_path / "bibliography.html").read_text()
    assert bib.count("Cited in") == 1
    assert '<a href="chapters/one.html#cite-id7-1">1. One</a>' in bib
