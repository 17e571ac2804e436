"""brainnet: a small, readable PyTorch in numpy, written for the book
*Neural Networks and the Brain*.

    import brainnet as bn
    import brainnet.functional as F
    from brainnet import nn, optim

    x = bn.tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad            # tensor([[2., 4.]])

Names follow PyTorch, except that reductions take numpy's ``axis``/``keepdims``
(PyTorch accepts those too) and classes sit on the last axis in ``cross_entropy``.
Importing brainnet has no side effects: nothing is seeded, downloaded or styled.
"""

from . import data, functional, nn, optim, random
from .activation import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .arith import abs, add, clip, div, exp, log, matmul, mul, neg, pow, sqrt, sub, where
from .autograd import enable_grad, grad, hvp, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckResult, gradcheck, gradcheck_module
from .random import manual_seed
from .reduce import max, mean, min, sum, var
from .shape import (
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
from .tensor import DEFAULT_DTYPE, Tensor, as_tensor, ones, tensor, zeros
from .train import TrainingDiverged, accuracy, evaluate, fit

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "as_tensor", "zeros", "ones", "DEFAULT_DTYPE",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "hvp",
    "add", "sub", "mul", "div", "neg", "pow", "matmul", "exp", "log", "sqrt", "abs", "clip",
    "where", "tanh", "sigmoid", "relu", "leaky_relu", "gelu", "softmax", "log_softmax",
    "sum", "mean", "var", "max", "min",
    "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "broadcast_to",
    "cat", "concatenate", "stack",
    "gradcheck", "gradcheck_module", "GradcheckResult", "manual_seed",
    "fit", "evaluate", "accuracy", "TrainingDiverged",
    "data", "functional", "nn", "optim", "random",
]
