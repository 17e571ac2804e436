"""brainnet: a small, readable PyTorch in numpy, written for the book
*Neural Networks and the Brain*.

    import brainnet as bn
    import brainnet.functional as F
    from brainnet import nn, optim

    x = bn.tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad            # tensor([[2., 4.]])

The layers, each importing only the ones before it (``tests/unit/test_layering.py``
holds this):

    numerics, rng      numpy formulas and random generators
    tensor             the Tensor: data, dtype, the fields autograd fills in
    autograd           record, the grad mode, backward, grad, hvp
    ops/               every op, defined once, by family; fast twins in ops/fused/
    functional, methods    facades: F, and Tensor's methods
    nn/, optim, data, gradcheck, train, landscapes, brain/

Names follow PyTorch; reductions take numpy's ``axis``/``keepdims`` as well as
PyTorch's ``dim``/``keepdim``, and classes sit on the last axis in ``cross_entropy``.
Importing brainnet has no side effects: nothing is seeded, downloaded or styled.
"""

from . import data, functional, methods, nn, optim, rng
from .autograd import enable_grad, grad, hvp, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckResult, gradcheck, gradcheck_module
from .ops.arith import abs as abs
from .ops.arith import add, clip, div, exp, log, matmul, mul, neg, sqrt, sub, where
from .ops.arith import pow as pow
from .ops.reduce import logsumexp, mean, var
from .ops.reduce import max as max
from .ops.reduce import min as min
from .ops.reduce import sum as sum
from .ops.shape import (
    broadcast_to,
    cat,
    concatenate,
    flatten,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)
from .rng import manual_seed
from .tensor import DEFAULT_DTYPE, Tensor, as_tensor, ones, tensor, zeros
from .train import TrainingDiverged, accuracy, evaluate, fit

__version__ = "0.2.0"

# sum, max, min, abs and pow are reachable as bn.sum etc. (as torch.sum; the `x as x`
# imports mark them as re-exported) but are not in __all__, so that
# `from brainnet import *` does not shadow Python's builtins.
__all__ = [
    "Tensor", "tensor", "as_tensor", "zeros", "ones", "DEFAULT_DTYPE",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "hvp",
    "add", "sub", "mul", "div", "neg", "matmul", "exp", "log", "sqrt", "clip", "where",
    "mean", "var", "logsumexp",
    "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "broadcast_to",
    "cat", "concatenate", "stack",
    "gradcheck", "gradcheck_module", "GradcheckResult", "manual_seed",
    "fit", "evaluate", "accuracy", "TrainingDiverged",
    "data", "functional", "methods", "nn", "optim", "rng",
]
