"""Open every page of the built book in a real browser, offline.

Playwright drives Debian's Chromium (/usr/bin/chromium; `playwright install` cannot
download browsers here) against _build/html served on 127.0.0.1. Every page must make
no request outside that server, have no failed request and no page error, and typeset
its math. Every frame player must change its image when its slider moves. A second,
tiny book with a real ipywidgets slider checks the vendored widget renderer.
Screenshots for humans land in _build/screenshots/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SCREENSHOTS, build_book, toc_files

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# Console errors that are known and harmless: substrings of the message. Keep this
# list short and say why each one is here.
ALLOWED_CONSOLE_ERRORS: list[str] = []

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian chromium is not installed at /usr/bin/chromium (.ci/run installs it "
           "with apt-get install -y chromium); playwright cannot download browsers here")


@contextlib.contextmanager
def serve(folder: Path):
    """Serve ``folder`` on 127.0.0.1 at a free port, in a thread; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(book):
    with serve(book.html) as base:
        yield base


class PageLog:
    """Everything a page did that a test may object to."""

    def __init__(self, page, base: str):
        self.base, self.outside, self.failed, self.errors, self.requests = base, [], [], [], []
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url} (HTTP {r.status})"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("console", self._console)

    def _request(self, request):
        self.requests.append(request.url)
        if not (request.url.startswith(self.base + "/") or request.url.startswith("data:")):
            self.outside.append(request.url)

    def _console(self, message):
        if message.type == "error" and not any(a in message.text
                                                for a in ALLOWED_CONSOLE_ERRORS):
            self.errors.append(f"console error: {message.text}")

    def assert_clean(self, where: str):
        assert not self.outside, f"{where}: requests outside the site: {self.outside}"
        assert not self.failed, f"{where}: failed requests: {self.failed}"
        assert not self.errors, f"{where}: {self.errors}"


def open_page(browser, url: str, base: str, theme: str | None = None, width: int = 1280):
    """A fresh context per page (clean cache and storage, like a first visit, in a
    light system theme), optionally with the reader's theme choice preset."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="light")
    if theme:
        context.add_init_script(f"localStorage.setItem('theme', '{theme}');"
                                f"localStorage.setItem('mode', '{theme}');")
    page = context.new_page()
    log = PageLog(page, base)
    page.goto(url, wait_until="networkidle")
    return context, page, log


def wait_for_math(page, where: str):
    """If the page has math, MathJax 3 must have typeset it (mjx-container elements)."""
    if page.locator(".math").count() == 0:
        return
    page.wait_for_selector("mjx-container", timeout=20_000)
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=20_000)
    page.evaluate("MathJax.startup.promise")
    errors = page.locator("mjx-merror").count()
    assert errors == 0, f"{where}: {errors} formulas failed to typeset"


PAGES = [*toc_files(), "genindex", "search"]


@pytest.mark.parametrize("name", PAGES)
def test_page_is_offline_clean_and_typeset(browser, site, name):
    context, page, log = open_page(browser, f"{site}/{name}.html", site)
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        wait_for_math(page, name)
        page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name.replace('/', '_')}-light.png")
        sideways = page.evaluate("""() => [...document.querySelectorAll('article pre')]
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => el.textContent.slice(0, 60))""")
        assert not sideways, f"{name}: {len(sideways)} blocks scroll sideways: {sideways}"
        log.assert_clean(name)
    finally:
        context.close()


SMALL_PRINT_PX = 14.4       # the body's small print (0.9 of the 16 px body text)
MIN_DENSITY = 1.5           # image pixels per CSS pixel, for high-density screens


@pytest.mark.parametrize("name", toc_files())
def test_figure_text_is_readable_and_sharp_at_1280(browser, site, name):
    """Every figure's smallest text (at least viz.MIN_FONT_PT, which png() enforces) is
    at least the small print once the page has scaled the image, and every image
    carries at least 1.5 pixels per CSS pixel."""
    from bookkit import viz

    context, page, log = open_page(browser, f"{site}/{name}.html", site)
    try:
        images = page.evaluate("""() => [...document.querySelectorAll(
                'img.brainnet-figure, img.brainnet-player-frame')].map(img => ({
            alt: img.alt.slice(0, 50), natural: img.naturalWidth,
            css: Number(img.getAttribute('width')),
            shown: img.getBoundingClientRect().width}))""")
        for im in images:
            assert im["css"] > 0, f"{name}: figure {im['alt']!r} has no CSS width"
            text_px = viz.MIN_FONT_PT * viz.DPI / 72 * im["shown"] / im["css"]
            assert text_px >= SMALL_PRINT_PX - 0.05, (
                f"{name}: figure {im['alt']!r} is shown at {im['shown']:.0f} of its "
                f"{im['css']} px, so its smallest text is {text_px:.1f} px")
            assert im["natural"] / im["shown"] >= MIN_DENSITY, (
                f"{name}: figure {im['alt']!r} has {im['natural'] / im['shown']:.2f} "
                "pixels per CSS pixel")
    finally:
        context.close()


@pytest.mark.parametrize("name", toc_files())
def test_frame_players_respond_to_their_slider(browser, site, name):
    context, page, log = open_page(browser, f"{site}/{name}.html", site)
    try:
        players = page.locator("figure.brainnet-player")
        for i in range(players.count()):
            player = players.nth(i)
            img, slider = player.locator("img"), player.locator("input[type=range]")
            before, label_before = img.get_attribute("src"), player.locator("output").inner_text()
            start, last = int(slider.input_value()), int(slider.get_attribute("max"))
            assert last >= 1, f"{name} player {i}: fewer than two frames"
            slider.focus()
            page.keyboard.press("Home" if start > 0 else "End")
            after = img.get_attribute("src")
            assert after != before, f"{name} player {i}: moving the slider kept the same image"
            assert player.locator("output").inner_text() != label_before
            assert img.get_attribute("alt"), f"{name} player {i}: frame has no alt text"
            radios = player.locator("input[type=radio]")
            for k in range(radios.count()):              # the second control, if any
                if not radios.nth(k).is_checked():
                    src = img.get_attribute("src")
                    radios.nth(k).check()
                    assert img.get_attribute("src") != src, (
                        f"{name} player {i}: choosing option {k} kept the same image")
                    word = radios.nth(k).locator("xpath=..").inner_text().strip()
                    assert img.get_attribute("alt").endswith(f", {word})"), img.get_attribute("alt")
            shown = img.get_attribute("src")
            play = player.locator("button")
            play.click()                                      # plays, one frame per 0.8 s
            page.wait_for_function("([img, src]) => img.getAttribute('src') !== src",
                                   arg=[img.element_handle(), shown], timeout=5_000)
            assert "Pause" in play.inner_text()
            play.click()
            assert "Play" in play.inner_text()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            player.screenshot(path=SCREENSHOTS / f"{name.replace('/', '_')}-player{i}-moved.png")
        log.assert_clean(name)
    finally:
        context.close()


@pytest.mark.parametrize("name", [toc_files()[0], *[f for f in toc_files()
                                                    if f.startswith("chapters/")][:1]])
def test_dark_theme_renders(browser, site, name):
    context, page, log = open_page(browser, f"{site}/{name}.html", site, theme="dark")
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        background = page.evaluate(
            "getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3)")
        assert sum(int(c) for c in background) < 3 * 80, f"dark theme background {background}"
        wait_for_math(page, name)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name.replace('/', '_')}-dark.png")
        players = page.locator("figure.brainnet-player")
        if players.count():
            players.first.scroll_into_view_if_needed()
            page.screenshot(path=SCREENSHOTS / f"{name.replace('/', '_')}-player-dark.png")
        log.assert_clean(name)
    finally:
        context.close()


def visible_toggle(page, selector: str):
    """The one button matching ``selector`` that a reader can see (the themes render
    two, one of them hidden)."""
    buttons = [b for b in page.locator(selector).all() if b.is_visible()]
    assert len(buttons) == 1, f"{len(buttons)} visible {selector} buttons"
    return buttons[0]


SIDEBAR_PAGE = "chapters/02_backprop"


def test_sidebar_toggle_opens_the_chapter_list_on_a_phone(browser, site):
    context, page, log = open_page(browser, f"{site}/{SIDEBAR_PAGE}.html", site, width=400)
    try:
        chapter_link = page.locator("#pst-primary-sidebar-modal a[href*='03_loss']")
        assert not chapter_link.first.is_visible()
        visible_toggle(page, ".primary-toggle").click()
        page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=5_000)
        assert chapter_link.first.is_visible(), "the chapter list did not appear"
        page.keyboard.press("Escape")
        page.wait_for_selector("#pst-primary-sidebar-modal:not([open])", state="attached")
        visible_toggle(page, ".secondary-toggle").click()
        page.wait_for_selector("#pst-secondary-sidebar-modal[open]", timeout=5_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "sidebar-400-contents.png")
        log.assert_clean("sidebar at 400 px")
    finally:
        context.close()


def test_sidebar_toggle_collapses_the_sidebar_on_a_desktop(browser, site):
    context, page, log = open_page(browser, f"{site}/{SIDEBAR_PAGE}.html", site)
    try:
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible()
        toggle = visible_toggle(page, ".primary-toggle")
        toggle.click()
        page.wait_for_function("!document.querySelector('#pst-primary-sidebar')"
                               ".checkVisibility({visibilityProperty: true})", timeout=5_000)
        toggle.click()
        page.wait_for_function("document.querySelector('#pst-primary-sidebar')"
                               ".checkVisibility({visibilityProperty: true})", timeout=5_000)
        log.assert_clean("sidebar at 1280 px")
    finally:
        context.close()


WIDGET_NOTEBOOK_CELLS = [
    ("markdown", "# Widgets offline\n\nMath on the page, so MathJax loads: $e^{i\\pi} = -1$."),
    ("code", "import ipywidgets as w\n"
             "w.VBox([w.IntSlider(value=3, min=0, max=9, description='$x^2$'),\n"
             "        w.Button(description='Check', icon='check')])"),
]


@pytest.fixture(scope="module")
def widget_book(tmp_path_factory):
    """A one-page book with saved ipywidgets state, built with the book's own config."""
    src = tmp_path_factory.mktemp("widget_book")
    shutil.copy(ROOT / "_config.yml", src / "_config.yml")
    shutil.copy(ROOT / "references.bib", src / "references.bib")
    shutil.copytree(ROOT / "book_assets", src / "book_assets")
    shutil.copytree(ROOT / "tools" / "sphinx", src / "tools" / "sphinx")
    (src / "_toc.yml").write_text("format: jb-book\nroot: widgets\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text) if kind == "markdown"
                else nbformat.v4.new_code_cell(text) for kind, text in WIDGET_NOTEBOOK_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, src / "widgets.ipynb")
    result = build_book(src)
    assert result.returncode == 0 and not result.warnings, result.output[-3000:]
    return result


def test_saved_widgets_render_offline(browser, widget_book):
    with serve(widget_book.html) as base:
        context, page, log = open_page(browser, f"{base}/widgets.html", base)
        try:
            page.wait_for_selector(".widget-slider", timeout=20_000)
            page.wait_for_selector(".widget-button .fa-check", timeout=20_000)
            page.wait_for_load_state("networkidle")
            wait_for_math(page, "widgets")
            # ipywidgets typesets its label through the MathJax 2 API; the shim in
            # book_assets/widgets/setup.js forwards it to MathJax 3.
            page.wait_for_selector(".widget-label mjx-container", timeout=20_000)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / "widget-book.png")
            log.assert_clean("widget book")
            fonts = [u for u in log.requests if u.endswith((".woff2", ".woff"))
                     and "/widgets/vendor/" in u]
            assert fonts, "the widget bundle did not load its icon font from book_assets"
        finally:
            context.close()
