"""The gradient checker itself (gradcheck.py): it passes right gradients, catches wrong
ones by a wide margin, reports clearly, and leaves its inputs alone."""

from __future__ import annotations

import numpy as np
import pytest

import brainnet as bn
from brainnet import nn
from brainnet.autograd import record
from brainnet.tensor import wrap


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def scaled_matmul(a, b, backward_a):
    """a @ b as a custom op whose gradient with respect to ``a`` is ``backward_a(g, b)``
    (the gradient with respect to ``b`` is always right)."""
    return record(wrap(a.data @ b.data), (a, b),
                  lambda g: (backward_a(g, b), a.mT @ g), "custom_matmul")


RIGHT = lambda g, b: g @ b.mT                                    # noqa: E731
OFF_BY_TWO = lambda g, b: 2 * (g @ b.mT)                         # noqa: E731
TRANSPOSED = lambda g, b: (g @ b.mT).mT                          # noqa: E731 (square shapes)
ONE_ENTRY = lambda g, b: bn.where(np.eye(3, dtype=bool), 1.001, 1.0) * (g @ b.mT)  # noqa: E731


def test_passes_a_right_gradient():
    result = bn.gradcheck(lambda a, b: scaled_matmul(a, b, RIGHT), r(0, 3, 3), r(1, 3, 3))
    assert result.ok and bool(result) and result.max_rel_error < 1e-8


@pytest.mark.parametrize("wrong, at_least", [(OFF_BY_TWO, 0.5), (TRANSPOSED, 0.1),
                                             (ONE_ENTRY, 5e-4)])
def test_catches_a_wrong_gradient(wrong, at_least):
    result = bn.gradcheck(lambda a, b: scaled_matmul(a, b, wrong), r(0, 3, 3), r(1, 3, 3))
    assert not result.ok and not bool(result)
    assert result.max_rel_error > at_least
    assert result.errors[0] > at_least and result.errors[1] < 1e-8   # it says which input
    assert "MISMATCH" in str(result)


def test_result_reports():
    result = bn.gradcheck(lambda x: x * x, np.array([1.0, 2.0]))
    assert str(result).startswith("gradcheck: worst relative error ")
    assert "(ok; tolerance 1e-06)" in str(result)
    assert len(result.errors) == 1
    np.testing.assert_allclose(result.analytic[0], result.numeric[0], rtol=1e-8)
    assert result.analytic[0].shape == (2,)
    loose = bn.gradcheck(lambda a, b: scaled_matmul(a, b, ONE_ENTRY), r(0, 3, 3), r(1, 3, 3),
                         tolerance=1e-2)
    assert loose.ok and loose.tolerance == 1e-2


def test_inputs_are_not_modified():
    x32 = bn.tensor(r(0, 3, 4).astype(np.float32), requires_grad=True)
    arr = r(1, 4, 2)
    before_x, before_arr = x32.data.copy(), arr.copy()
    result = bn.gradcheck(lambda a, b: (a @ b).tanh(), x32, arr)
    assert result.ok
    np.testing.assert_array_equal(x32.data, before_x)
    np.testing.assert_array_equal(arr, before_arr)
    assert x32.dtype == np.float32 and x32.grad is None


def test_checks_in_float64_even_for_float32_inputs():
    seen = []
    bn.gradcheck(lambda x: seen.append(x.dtype) or x.exp(), np.ones(2, np.float32))
    assert set(seen) == {np.dtype(np.float64)}


def test_integer_inputs_pass_through():
    labels = np.array([1, 0, 2])
    import brainnet.functional as F
    seen = []
    result = bn.gradcheck(lambda x, y: seen.append(y) or F.cross_entropy(x, y), r(0, 3, 4),
                          labels)
    assert result.ok and len(result.errors) == 1 and seen[0] is labels
    with pytest.raises(ValueError, match="gradcheck: no floating-point input to check"):
        bn.gradcheck(lambda y: bn.tensor(1.0), labels)


def test_unused_input_has_zero_gradient():
    result = bn.gradcheck(lambda a, b: a * 2, r(0, 3), r(1, 3))
    assert result.ok
    np.testing.assert_array_equal(result.analytic[1], np.zeros(3))


def test_near_zero_entries_are_not_false_alarms():
    """Entries far below the largest gradient are measured against a floor, so rounding
    noise in them does not read as a 100% error."""
    x = np.array([1e-9, 1.0, 3.0])
    assert bn.gradcheck(lambda v: (v ** 3).sum(), x).ok


def test_gradcheck_module_checks_parameters():
    class Wrong(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(r(0, 3, 3))

        def forward(self, x):
            return scaled_matmul(self.w, x, OFF_BY_TWO)

    layer = nn.Linear(3, 2, rng=0)
    result = bn.gradcheck_module(layer, r(1, 4, 3))
    assert result.ok and len(result.errors) == 3          # input, weight, bias
    assert layer.weight.dtype == np.float64
    bad = bn.gradcheck_module(Wrong(), r(2, 3, 3))
    assert not bad.ok and bad.errors[1] > 0.5             # the parameter, after the input


def test_non_contiguous_parameters_are_perturbed():
    """A parameter made from a transposed array is not C-contiguous; its finite
    differences must still perturb it (not a silent copy), or a right gradient fails."""
    class Transposed(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(r(0, 3, 4).T)

        def forward(self, x):
            return x @ self.w

    assert bn.gradcheck_module(Transposed(), r(1, 2, 4)).ok
