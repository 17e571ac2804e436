"""Experiments readers drive: live controls in Jupyter, a frame player in the book.

Write the experiment as a function of its parameters that returns a matplotlib
Figure, then describe each parameter's values:

    from bookkit import viz
    from bookkit.explore import Range, explore

    def xor_experiment(hidden=4, lr=0.5, activation="tanh"):
        model = cached_models[hidden, lr, activation]   # train heavy things once, outside
        fig, ax = viz.figure(layout="fast")
        viz.decision_boundary(ax, model.predict, X, y)
        return fig

    explore(xor_experiment,
            hidden=(1, 8),                               # ints -> slider 1, 2, ..., 8
            lr=Range(0.01, 1.0, num=5, log=True),        # 0.01, 0.0316, 0.1, 0.316, 1
            activation=["tanh", "relu", "sigmoid"],      # list -> dropdown
            main="hidden",
            alt="Decision boundary of a small MLP on XOR; with more hidden units the "
                "boundary bends to separate the four points.")

``controls.py`` lists the shorthands, ``modes.py`` where explore draws, ``player.py``
the static book's frame player, ``harness.py`` how tests run a chapter's experiments.
"""

from .controls import Choice, Control, Fixed, Range, Toggle, as_control
from .experiment import Experiment
from .harness import check_extremes, collect_experiments
from .modes import ENV_VAR, MODES, current_mode, explore, recording

__all__ = ["Choice", "Control", "Fixed", "Range", "Toggle", "as_control", "Experiment",
           "check_extremes", "collect_experiments", "ENV_VAR", "MODES", "current_mode",
           "explore", "recording"]
