"""Models of the brain side of the book: spiking neurons, learning rules, memories.

Import the submodule you need, e.g. ``from brainnet.brain import lif``. Nothing is
imported here, so each chapter's models stay independent.
"""
