"""bookkit.explore: controls offer only valid values, explore works in its three modes,
and every experiment in every chapter runs with each control at both of its extremes."""

from __future__ import annotations

import json
import re
import time

import matplotlib
import nbformat
import numpy as np
import pytest
from conftest import chapter_notebooks
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
from bookkit import viz  # noqa: E402
from bookkit.explore import (  # noqa: E402  # noqa: E402
    Choice,
    Experiment,
    Fixed,
    Range,
    Toggle,
    as_control,
    check_extremes,
    collect_experiments,
    experiment,
    explore,
    live,
    modes,
    recording,
)
from matplotlib.figure import Figure  # noqa: E402


def line_plot(n=3, scale=1.0, kind="sin", grid=False, offset=0.0):
    """A cheap experiment: returns a small Figure and remembers its arguments."""
    line_plot.calls.append(dict(n=n, scale=scale, kind=kind, grid=grid, offset=offset))
    fig, ax = viz.figure(size="small")
    x = np.linspace(0, n, 50)
    ax.plot(x, scale * (np.sin(x) if kind == "sin" else np.cos(x)) + offset)
    ax.grid(grid)
    return fig


line_plot.calls = []


@pytest.fixture
def captured(monkeypatch):
    """Everything explore passes to IPython's display()."""
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    line_plot.calls.clear()
    return shown


# --- controls ------------------------------------------------------------------------

def test_shorthands_map_like_interact():
    assert isinstance(as_control((1, 5)), Range) and as_control((1, 5)).values == [1, 2, 3, 4, 5]
    assert as_control((0, 10, 5)).values == [0, 5, 10]
    assert as_control((0.0, 1.0)).values == pytest.approx(np.linspace(0, 1, 11))
    assert as_control(["a", "b"]).values == ["a", "b"]
    assert as_control({"small": 1, "big": 9}).values == [1, 9]
    assert as_control(True).values == [False, True] and as_control(True).default is True
    assert isinstance(as_control(Fixed(3)), Fixed)
    for bad in ("text", 3, 2.5, (1,), None):
        with pytest.raises(TypeError):
            as_control(bad)


def test_range_forms():
    assert Range(0.1, 0.5, 0.1).values == [0.1, 0.2, 0.3, 0.4, 0.5]      # no 0.30000000000000004
    assert Range(1e-3, 1.0, log=True).values == [0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1.0]
    assert Range(0.01, 1.0, num=3, log=True).values == [0.01, 0.1, 1.0]
    assert Range(2, 9, 3).values == [2, 5, 8]
    assert Range(0, 10).default == 5 and Range(0, 10, default=0).default == 0
    assert Range(0.0, 1.0, num=3, default=0.5).default == 0.5
    for args, kwargs in [((1, 1), {}), ((2, 1), {}), ((0, 1, 0.1), {"num": 3}),
                         ((0, 1), {"log": True}), ((0, 10), {"default": 3.5}),
                         ((0, 1, 5), {})]:
        with pytest.raises(ValueError):
            Range(*args, **kwargs)


@settings(max_examples=60, deadline=None)
@given(low=st.integers(-50, 50), span=st.integers(1, 80), step=st.integers(1, 9))
def test_integer_slider_offers_exactly_the_values(low, span, step):
    high = low + span
    if span < step:
        with pytest.raises(ValueError):
            Range(low, high, step)
        return
    control = Range(low, high, step)
    slider = control.widget("n")
    assert isinstance(slider, W.IntSlider)
    assert list(range(slider.min, slider.max + 1, slider.step)) == control.values
    assert all(low <= v <= high for v in control.values)
    assert control.snap(high + 100) == control.values[-1]
    assert control.snap(low - 100) == control.values[0]


@settings(max_examples=60, deadline=None)
@given(low=st.floats(-100, 100), span=st.floats(0.01, 100), num=st.integers(2, 30),
       log=st.booleans(), probe=st.floats(-1e3, 1e3))
def test_float_slider_offers_exactly_the_values(low, span, num, log, probe):
    if log:
        low = abs(low) + 0.01
    control = Range(low, low + span, num=num, log=log)
    slider = control.widget("x")
    assert isinstance(slider, W.SelectionSlider)
    assert [v for _, v in slider.options] == control.values
    assert slider.value == control.default
    tol = 0.006 * (low + span) if log else 1e-9
    assert all(low - tol <= v <= low + span + tol for v in control.values)
    assert control.snap(probe) in control.values


def test_choice_and_toggle_widgets():
    choice = Choice({"ReLU": "relu", "tanh": "tanh"}, default="tanh", label="activation")
    dropdown = choice.widget("act")
    assert isinstance(dropdown, W.Dropdown) and dropdown.value == "tanh"
    assert [v for _, v in dropdown.options] == choice.values
    assert choice.describe("relu") == "ReLU"
    assert Choice([("one", 1), ("two", 2)]).values == [1, 2]
    with pytest.raises(ValueError):
        Choice(["a"], default="b")
    with pytest.raises(ValueError):
        Choice([])
    box = Toggle(True, label="show data").widget("data")
    assert isinstance(box, W.Checkbox) and box.value is True and box.description == "show data"


# --- explore ------------------------------------------------------------------------

def test_mode_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(modes.ENV_VAR, raising=False)
    assert modes.current_mode() == "live"
    monkeypatch.setenv(modes.ENV_VAR, "static")
    assert modes.current_mode() == "static"
    with recording():
        assert modes.current_mode() == "record"
    assert modes.current_mode("live") == "live"
    monkeypatch.setenv(modes.ENV_VAR, "frozen")
    with pytest.raises(ValueError):
        modes.current_mode()


def test_record_mode_renders_nothing(captured):
    def never(n=1):
        raise AssertionError("record mode must not call the function")

    with recording() as found:
        exp = explore(never, n=(1, 4))
    assert found == [exp] and isinstance(exp, Experiment)
    assert captured == []
    assert exp.defaults() == {"n": 2} and exp.main == "n"


def test_explore_checks_its_arguments():
    with pytest.raises(TypeError, match="no parameter"):
        explore(line_plot, mode="record", nope=(1, 2))
    with pytest.raises(ValueError, match="main"):
        explore(line_plot, mode="record", n=(1, 3), main="scale")
    with pytest.raises(ValueError, match="at least one control"):
        explore(line_plot, mode="record", n=Fixed(2))
    exp = explore(line_plot, mode="record", n=(1, 3))
    with pytest.raises(ValueError):
        exp.params(n=7)
    with pytest.raises(KeyError):
        exp.params(kind="sin")


def test_static_mode_renders_a_frame_player(captured):
    exp = explore(line_plot, mode="static", n=(1, 40), kind=["sin", "cos"], grid=False,
                  offset=Fixed(0.5), main="n", alt="A sine wave over n periods.")
    assert len(captured) == 1
    page = captured[0].data
    assert 'class="brainnet-player"' in page and 'type="range"' in page
    assert "unlock every control" in page and "kind, grid stay at their defaults" in page
    frames = json.loads(re.search(r"frames = (\[.*?\]), values = ", page).group(1))
    assert 2 <= len(frames) <= experiment.MAX_FRAMES
    start = int(re.search(r'value="(\d+)"', page).group(1))
    assert frames[start] is None and all(f.startswith("data:image/png;base64,")
                                         for i, f in enumerate(frames) if i != start)
    assert 'alt="A sine wave over n periods. (n = 20)"' in page
    swept = [c["n"] for c in line_plot.calls]
    assert swept == exp.frames() and swept[0] == 1 and swept[-1] == 40 and 20 in swept
    assert all(c["kind"] == "sin" and c["offset"] == 0.5 for c in line_plot.calls)


def test_a_second_control_gives_the_player_a_grid_of_frames(captured):
    exp = explore(line_plot, mode="static", n=(1, 40), kind=["sin", "cos", "tan"],
                  grid=False, main="n", second="kind", alt="A wave over n periods.")
    page = captured[0].data
    frames = json.loads(re.search(r"frames = (\[.*?\]), values = ", page).group(1))
    main = exp.frames()
    assert len(main) * 3 == len(frames) <= experiment.MAX_GRID_FRAMES
    assert page.count('type="radio"') == 3 and page.count(" checked>") == 1
    assert "<legend>kind</legend>" in page and "drag the slider to step through n and " \
        "choose kind; grid stays at its default" in page
    assert 'alt="A wave over n periods. (n = 20, sin)"' in page
    drawn = [(c["kind"], c["n"]) for c in line_plot.calls]
    assert drawn == [(k, n) for k in ["sin", "cos", "tan"] for n in main]   # row per choice
    assert frames.count(None) == 1 and frames[main.index(20)] is None


def test_second_control_is_checked():
    with pytest.raises(ValueError, match="other than main"):
        explore(line_plot, mode="record", n=(1, 3), kind=["sin"], second="n")
    with pytest.raises(ValueError, match="other than main"):
        explore(line_plot, mode="record", n=(1, 3), second="kind")
    with pytest.raises(ValueError, match="at most 6"):
        explore(line_plot, mode="record", n=(1, 3), scale=Range(1, 8), second="scale")


def test_live_mode_redraws_on_change(captured, monkeypatch):
    monkeypatch.setattr(live, "CONTINUOUS_BELOW_S", 10.0)   # count this figure as fast
    live.show_live(Experiment(line_plot, {"n": Range(1, 5), "kind": Choice(["sin", "cos"])},
                                  {"scale": 2.0}, "n", "alt"), continuous=None)
    box = captured[-1]
    assert isinstance(box, W.VBox)
    slider, dropdown = box.children[0].children
    assert slider.continuous_update is True            # a fast figure: redraw while dragging
    slider.value = 5
    dropdown.value = "cos"
    assert [c["n"] for c in line_plot.calls] == [3, 5, 5]
    assert line_plot.calls[-1] == dict(n=5, scale=2.0, kind="cos", grid=False, offset=0.0)
    images = [o for o in captured if isinstance(o, viz.FigureImage)]
    assert len(images) == 3 and all(im.alt == "alt" for im in images)


def test_live_mode_throttles_slow_figures(captured):
    def slow(n=1):
        time.sleep(live.CONTINUOUS_BELOW_S * 1.5)
        return line_plot(n)

    live.show_live(Experiment(slow, {"n": Range(1, 3)}, {}, "n", "alt"), continuous=None)
    assert captured[-1].children[0].children[0].continuous_update is False


def test_live_mode_surfaces_errors_in_the_first_draw(captured):
    def broken(n=1):
        return "not a figure"

    with pytest.raises(TypeError, match="must return a matplotlib Figure"):
        live.show_live(Experiment(broken, {"n": Range(1, 3)}, {}, "n", "alt"), None)


def test_frames_are_capped_and_keep_ends_and_default():
    exp = explore(line_plot, mode="record", n=Range(0, 100, default=37))
    frames = exp.frames()
    assert len(frames) <= experiment.MAX_FRAMES and {0, 37, 100} <= set(frames)
    assert frames == sorted(frames)


def test_extremes_cover_both_ends_of_every_control():
    exp = explore(line_plot, mode="record", n=(1, 9), scale=Range(0.5, 2.0, num=4),
                  kind=["sin", "cos"], grid=True)
    runs = exp.extremes()
    for name, control in exp.controls.items():
        for end in (control.values[0], control.values[-1]):
            assert any(run[name] == end for run in runs), (name, end)
    timings = check_extremes(exp)
    assert len(timings) == len(runs) and all(seconds >= 0 for _, seconds in timings)
    bad = Experiment(lambda n=1: None, {"n": Range(1, 2)}, {}, "n", "alt")
    with pytest.raises(AssertionError, match="not a Figure"):
        check_extremes(bad)


def test_collect_experiments_runs_notebook_code_in_record_mode(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np\n"
                                  "from bookkit import viz\nfrom bookkit.explore import explore"),
        nbformat.v4.new_code_cell("def f(k=1):\n    fig, ax = viz.figure()\n"
                                  "    ax.plot(np.arange(k))\n    return fig\n"
                                  "explore(f, k=(1, 4), alt='a line')"),
        nbformat.v4.new_code_cell("raise RuntimeError('cells after the last explore do not run')"),
    ]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nb, path)
    found = collect_experiments(path)
    assert len(found) == 1 and found[0].alt == "a line"
    assert isinstance(found[0](k=4), Figure)
    with pytest.raises(RuntimeError):
        collect_experiments(path, stop_after_last=False)


@pytest.mark.parametrize("notebook", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_chapter_experiment_runs_at_its_extremes(notebook, monkeypatch):
    """Each explore() in each chapter: every control at both ends returns a Figure."""
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    for exp in collect_experiments(notebook):
        check_extremes(exp)
