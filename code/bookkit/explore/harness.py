"""Run a chapter's notebook in this process and collect its experiments.

The tests (every control at both ends) and the widget benchmark (every value) use
this: ``collect_experiments`` executes a notebook's code cells with ``explore`` in
record mode, so each experiment comes back as an ``Experiment`` to call directly.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from pathlib import Path

from brainnet.train import in_kernel

from .experiment import Experiment
from .modes import recording


def check_extremes(exp: Experiment) -> list[tuple[dict, float]]:
    """Call the experiment at each of ``exp.extremes()``; every call must return a Figure.

    Returns ``(params, seconds)`` per call. A chapter test needs only:
    ``for exp in collect_experiments("chapters/02_backprop.ipynb"): check_extremes(exp)``.
    """
    from matplotlib.figure import Figure

    from .. import viz

    timings = []
    for params in exp.extremes():
        start = time.perf_counter()
        fig = exp.fn(**params)
        timings.append((params, time.perf_counter() - start))
        if not isinstance(fig, Figure):
            raise AssertionError(f"{exp.fn.__name__}({params}) returned {type(fig).__name__}, "
                                 "not a Figure")
        viz.close(fig)
    return timings


def collect_experiments(notebook: str | os.PathLike, *, stop_after_last: bool = True) -> list:
    """Run a notebook's code in this process, in record mode, and return its Experiments.

    Code cells run in order in one fresh namespace, from the notebook's folder, up to the
    last cell that calls ``explore`` (all cells if ``stop_after_last`` is False). IPython
    syntax is translated; line magics are skipped, and cell magics run their body.
    """
    import matplotlib

    path = Path(notebook).resolve()
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in cells]
    if stop_after_last:
        last = max((i for i, s in enumerate(sources) if "explore(" in s), default=-1)
        sources = sources[: last + 1]
    if not in_kernel():
        matplotlib.use("Agg")  # headless: tests and benchmarks
    import matplotlib.pyplot as plt

    namespace: dict = {"__name__": "__main__", "get_ipython": lambda: _NoMagic(namespace)}
    cwd = os.getcwd()
    with recording() as found, contextlib.redirect_stdout(io.StringIO()):
        os.chdir(path.parent)
        try:
            for i, source in enumerate(sources):
                code = compile(_to_python(source), f"{path.name}[code cell {i}]", "exec")
                exec(code, namespace)  # noqa: S102 (running the book's own notebooks)
                plt.close("all")
        finally:
            os.chdir(cwd)
    return found


def _to_python(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    return TransformerManager().transform_cell(source)


class _NoMagic:
    """Stands in for get_ipython() outside IPython: cell magics run their body, and
    everything else (line magics, shell commands) does nothing."""

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def run_cell_magic(self, name, line, body):
        exec(compile(_to_python(body), f"%%{name}", "exec"), self.namespace)  # noqa: S102

    def __getattr__(self, name):
        return lambda *args, **kwargs: None
