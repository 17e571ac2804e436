"""bookkit: the machinery of the book *Neural Networks and the Brain*, apart from the
library it teaches (``brainnet``, which never imports this package).

    from bookkit import viz                              # the house style and plots
    from bookkit.explore import Choice, Range, explore   # experiments readers drive

- ``viz/``: palette, figure sizes, PNG output with alt text, shared plots.
- ``explore/``: ``explore`` (live widgets in Jupyter, a frame player in the static
  book), its controls, and the harness that runs a notebook's experiments in tests.
- ``exercises``: ``check``, which tells a reader whether a function they wrote matches
  the library's version.
"""
