"""Reductions (reduce.py): sum, mean, var, max, min over axes; ties; hypothesis.

GRADCHECK_CASES run in test_gradcheck_coverage.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brainnet as bn


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def distinct(seed: int, *shape: int) -> np.ndarray:
    """Values at least 1/n apart, so that no max is within a finite-difference step of
    another entry."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) / n


def _cases(name: str, fn, make) -> dict:
    """A case per way of choosing axes: all, an int, a negative int, a tuple, keepdims."""
    return {
        f"{name}": lambda: bn.gradcheck(lambda x: fn(x), make(0, 2, 3, 4)),
        f"{name}[axis 1]": lambda: bn.gradcheck(lambda x: fn(x, axis=1), make(1, 2, 3, 4)),
        f"{name}[axis -1, keepdims]": lambda: bn.gradcheck(
            lambda x: fn(x, axis=-1, keepdims=True), make(2, 2, 3, 4)),
        f"{name}[axis (0, 2)]": lambda: bn.gradcheck(lambda x: fn(x, axis=(0, 2)),
                                                    make(3, 2, 3, 4)),
        f"{name}[axis (-1, 0), keepdims]": lambda: bn.gradcheck(
            lambda x: fn(x, axis=(-1, 0), keepdims=True), make(4, 2, 3, 4)),
        f"{name}[all, keepdims]": lambda: bn.gradcheck(lambda x: fn(x, keepdims=True),
                                                      make(5, 2, 3)),
    }


GRADCHECK_CASES = {
    **_cases("sum", bn.sum, r),
    **_cases("mean", bn.mean, r),
    **_cases("var", bn.var, r),
    **_cases("max", bn.max, distinct),
    **_cases("min", bn.min, distinct),
    "var[correction 0]": lambda: bn.gradcheck(lambda x: bn.var(x, 0, correction=0), r(6, 4, 3)),
    "logsumexp": lambda: bn.gradcheck(lambda x: bn.logsumexp(x, axis=0), 3 * r(12, 3, 4)),
    "logsumexp[keepdims]": lambda: bn.gradcheck(lambda x: bn.logsumexp(x, -1, keepdims=True),
                                                3 * r(13, 3, 4)),
    "Tensor.sum": lambda: bn.gradcheck(lambda x: x.sum(axis=0), r(7, 3, 4)),
    "Tensor.mean": lambda: bn.gradcheck(lambda x: x.mean(axis=-1, keepdims=True), r(8, 3, 4)),
    "Tensor.var": lambda: bn.gradcheck(lambda x: x.var(axis=(0, 1)), r(9, 3, 4)),
    "Tensor.max": lambda: bn.gradcheck(lambda x: x.max(axis=1), distinct(10, 3, 4)),
    "Tensor.min": lambda: bn.gradcheck(lambda x: x.min(), distinct(11, 3, 4)),
}


# --------------------------------------------------------------------- values
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, 0), ()])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_values_match_numpy(name, axis, keepdims):
    x = r(0, 2, 3, 4)
    out = getattr(bn, name)(bn.tensor(x), axis=axis, keepdims=keepdims)
    ref = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.data, ref)


@pytest.mark.parametrize("correction", [0, 1])
def test_var_matches_numpy(correction):
    x = r(1, 4, 5)
    np.testing.assert_allclose(bn.var(bn.tensor(x), axis=0, correction=correction).data,
                               x.var(axis=0, ddof=correction))
    np.testing.assert_allclose(bn.tensor(x).var().data, x.var(ddof=1))


def test_var_with_too_few_elements_raises():
    with pytest.raises(ValueError, match="var: 1 element"):
        bn.tensor([[1.0, 2.0]]).var(axis=0)


def test_axis_out_of_range_raises():
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        bn.ones(2, 3).sum(axis=3)


# ------------------------------------------------------------------------ ties
@pytest.mark.parametrize("name", ["max", "min"])
def test_ties_send_the_gradient_to_the_first_extreme_only(name):
    """Blank digit pixels tie exactly. A mask of every tied entry would multiply the
    gradient by the number of ties; the gradient must go to the first one only."""
    value = 5.0 if name == "max" else -5.0
    x = bn.tensor(np.array([[1.0, value, value], [value, value, 0.0]]), requires_grad=True)
    getattr(x, name)(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [1, 0, 0]])
    x.grad = None
    getattr(x, name)().backward()                             # over everything
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [0, 0, 0]])
    x.grad = None
    getattr(x, name)(axis=(0, 1)).backward()                  # tuple covering everything
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [0, 0, 0]])
    x.grad = None
    getattr(x, name)(axis=0).sum().backward()                 # down the columns
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 1], [1, 0, 0]])


def test_max_of_all_zero_image_has_unit_gradient():
    x = bn.tensor(np.zeros((2, 8, 8)), requires_grad=True)
    x.max(axis=(1, 2)).sum().backward()
    assert x.grad.data.sum() == 2.0 and x.grad.data[:, 0, 0].tolist() == [1.0, 1.0]


def test_max_of_empty_tensor_raises():
    with pytest.raises(ValueError, match=r"max: the tensor is empty \(shape \(0,\)\)"):
        bn.tensor(np.zeros(0)).max()


# ----------------------------------------------------------------- hypothesis
@st.composite
def shape_and_axis(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    ndim = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-ndim, ndim - 1))
    else:
        axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
        axis = tuple(a - ndim if draw(st.booleans()) else a for a in axes)   # mix signs
    return shape, axis


@settings(deadline=None, max_examples=30)
@given(name=st.sampled_from(["sum", "mean", "max", "min", "var"]), case=shape_and_axis(),
       keepdims=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_reductions_random_axes(name, case, keepdims, seed):
    shape, axis = case
    if name == "var":
        axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
        if int(np.prod([shape[a] for a in axes])) < 2:
            return                                   # too few values for correction=1
    x = (distinct if name in ("max", "min") else r)(seed, *shape)
    fn = getattr(bn, name)
    t = bn.tensor(x, requires_grad=True)
    out = fn(t, axis=axis, keepdims=keepdims)
    ref = getattr(np, name)(x, axis=axis, keepdims=keepdims, **({"ddof": 1} if name == "var"
                                                                 else {}))
    assert out.shape == np.shape(ref)
    np.testing.assert_allclose(out.data, ref, atol=1e-12)
    (g,) = bn.grad((out * np.ones(out.shape)).sum(), [t], create_graph=True)
    assert g.shape == x.shape
    result = bn.gradcheck(lambda v: fn(v, axis=axis, keepdims=keepdims), x)
    assert result.ok, f"{name} {shape} axis={axis} keepdims={keepdims}: {result}"
