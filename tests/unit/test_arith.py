"""Arithmetic ops (arith.py): values, gradients, broadcasting, dtypes and errors.

The gradient-check cases in GRADCHECK_CASES are run by test_gradcheck_coverage.py
(once per `pytest tests/`); the tests below check everything else.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import brainnet as bn


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def positive(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.5, 2.0, shape)


def away_from(x: np.ndarray, points=(0.0,), gap: float = 0.05) -> np.ndarray:
    """``x`` with every entry moved at least ``gap`` away from the kinks ``points``, so
    that a finite-difference step never straddles one."""
    x = x.copy()
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + np.where(x[close] >= p, gap, -gap) * 2
    return x


def alternating(shape) -> np.ndarray:
    """A boolean condition of ``shape``: True, False, True, ..."""
    return (np.arange(int(np.prod(shape))) % 2 == 0).reshape(shape)


C34 = positive(40, 3, 4)   # a constant (not checked) for the reflected operators
C23 = positive(41, 2, 3)

GRADCHECK_CASES = {
    # binary ops, same shape and broadcast (including a 0-d operand)
    "add": lambda: bn.gradcheck(bn.add, r(0, 3, 4), r(1, 3, 4)),
    "add[broadcast]": lambda: bn.gradcheck(bn.add, r(0, 2, 3, 4), r(1, 3, 1)),
    "sub": lambda: bn.gradcheck(bn.sub, r(2, 3, 4), r(3, 3, 4)),
    "sub[broadcast]": lambda: bn.gradcheck(bn.sub, r(2, 4), r(3, 3, 1)),
    "mul": lambda: bn.gradcheck(bn.mul, r(4, 3, 4), r(5, 3, 4)),
    "mul[broadcast]": lambda: bn.gradcheck(bn.mul, r(4, 1, 4), r(5, 3, 1)),
    "mul[scalar tensor]": lambda: bn.gradcheck(bn.mul, r(4, 3, 4), r(5)),
    "div": lambda: bn.gradcheck(bn.div, r(6, 3, 4), positive(7, 3, 4)),
    "div[broadcast]": lambda: bn.gradcheck(bn.div, r(6, 2, 3), positive(7, 3)),
    "neg": lambda: bn.gradcheck(bn.neg, r(8, 3, 4)),
    "pow": lambda: bn.gradcheck(lambda x: bn.pow(x, 3), r(9, 3, 4)),
    "pow[fractional]": lambda: bn.gradcheck(lambda x: bn.pow(x, 1.5), positive(9, 3, 4)),
    "pow[tensor exponent]": lambda: bn.gradcheck(bn.pow, positive(10, 3, 4), r(11, 3, 4)),
    "pow[tensor exponent, broadcast]": lambda: bn.gradcheck(bn.pow, positive(10, 2, 3),
                                                            r(11, 3)),
    "pow[number base]": lambda: bn.gradcheck(lambda p: bn.pow(2.5, p), r(12, 3)),
    "matmul": lambda: bn.gradcheck(bn.matmul, r(13, 3, 4), r(14, 4, 5)),
    "matmul[batched]": lambda: bn.gradcheck(bn.matmul, r(13, 2, 3, 4), r(14, 2, 4, 5)),
    "matmul[broadcast batch]": lambda: bn.gradcheck(bn.matmul, r(13, 2, 1, 3, 4),
                                                    r(14, 3, 4, 2)),
    "matmul[batched @ matrix]": lambda: bn.gradcheck(bn.matmul, r(13, 2, 3, 4), r(14, 4, 2)),
    "matmul[1-D left]": lambda: bn.gradcheck(bn.matmul, r(15, 4), r(16, 2, 4, 3)),
    "matmul[1-D right]": lambda: bn.gradcheck(bn.matmul, r(15, 2, 3, 4), r(16, 4)),
    "matmul[1-D both]": lambda: bn.gradcheck(bn.matmul, r(15, 4), r(16, 4)),
    # unary ops
    "exp": lambda: bn.gradcheck(bn.exp, r(17, 3, 4)),
    "log": lambda: bn.gradcheck(bn.log, positive(18, 3, 4)),
    "sqrt": lambda: bn.gradcheck(bn.sqrt, positive(19, 3, 4)),
    "abs": lambda: bn.gradcheck(bn.abs, away_from(r(20, 3, 4))),
    "clip": lambda: bn.gradcheck(lambda x: bn.clip(x, -0.5, 0.7),
                                 away_from(r(21, 4, 5), (-0.5, 0.7))),
    "clip[min only]": lambda: bn.gradcheck(lambda x: bn.clip(x, min=0.1),
                                           away_from(r(22, 4, 5), (0.1,))),
    "clip[max only]": lambda: bn.gradcheck(lambda x: bn.clip(x, max=0.1),
                                           away_from(r(22, 4, 5), (0.1,))),
    "where": lambda: bn.gradcheck(lambda a, b: bn.where(r(23, 3, 4) > 0, a, b),
                                  r(24, 3, 4), r(25, 3, 4)),
    "where[broadcast]": lambda: bn.gradcheck(lambda a, b: bn.where(r(23, 2, 3, 4) > 0, a, b),
                                             r(24, 3, 1), r(25, 4)),
    "where[number]": lambda: bn.gradcheck(lambda a: bn.where(r(23, 3) > 0, a, 0.5), r(24, 3)),
    # Tensor methods and operators that call the ops above
    "Tensor.__add__": lambda: bn.gradcheck(lambda a, b: a + b, r(26, 2, 3, 4), r(27, 3, 4)),
    "Tensor.__radd__": lambda: bn.gradcheck(lambda a: C34 + a, r(26, 2, 3, 4)),
    "Tensor.__sub__": lambda: bn.gradcheck(lambda a, b: a - b, r(26, 2, 3, 4), r(27, 3, 4)),
    "Tensor.__rsub__": lambda: bn.gradcheck(lambda a: C34 - a, r(26, 2, 3, 4)),
    "Tensor.__mul__": lambda: bn.gradcheck(lambda a, b: a * b, r(26, 2, 3, 4), r(27, 3, 4)),
    "Tensor.__rmul__": lambda: bn.gradcheck(lambda a: C34 * a, r(26, 2, 3, 4)),
    "Tensor.__truediv__": lambda: bn.gradcheck(lambda a, b: a / b, r(26, 2, 3, 4),
                                               positive(27, 3, 4)),
    "Tensor.__rtruediv__": lambda: bn.gradcheck(lambda a: C34 / a, positive(26, 2, 3, 4)),
    "Tensor.__matmul__": lambda: bn.gradcheck(lambda a, b: a @ b, r(26, 3, 4), r(27, 4, 2)),
    "Tensor.__rmatmul__": lambda: bn.gradcheck(lambda a: C23 @ a, r(26, 5, 3, 4)),
    "Tensor.__pow__": lambda: bn.gradcheck(lambda x: x ** 2, r(28, 3, 4)),
    "Tensor.__pow__[tensor]": lambda: bn.gradcheck(lambda x, p: x ** p, positive(28, 3),
                                                   r(29, 3)),
    "Tensor.__rpow__": lambda: bn.gradcheck(lambda p: 3.0 ** p, r(29, 3, 4)),
    "Tensor.__neg__": lambda: bn.gradcheck(lambda x: -x, r(30, 3, 4)),
    "Tensor.__abs__": lambda: bn.gradcheck(lambda x: abs(x), away_from(r(31, 3, 4))),
    "Tensor.exp": lambda: bn.gradcheck(lambda x: x.exp(), r(32, 3, 4)),
    "Tensor.log": lambda: bn.gradcheck(lambda x: x.log(), positive(33, 3, 4)),
    "Tensor.sqrt": lambda: bn.gradcheck(lambda x: x.sqrt(), positive(34, 3, 4)),
    "Tensor.pow": lambda: bn.gradcheck(lambda x: x.pow(3), r(35, 3, 4)),
    "Tensor.abs": lambda: bn.gradcheck(lambda x: x.abs(), away_from(r(36, 3, 4))),
    "Tensor.clip": lambda: bn.gradcheck(lambda x: x.clip(-0.3, 0.3),
                                        away_from(r(37, 4, 5), (-0.3, 0.3))),
    # astype through long double (more precise than float64) and back, so the finite
    # differences stay exact; the float32 round trip is checked on dyadic values below.
    "Tensor.astype": lambda: bn.gradcheck(
        lambda x: (x.astype(np.longdouble) * 3).astype(np.float64), r(38, 3, 4)),
    # x and x +- h are exact in float32 when x and h are dyadic (k / 1024), so the
    # float32 cast loses nothing and the check stays honest.
    "Tensor.float": lambda: bn.gradcheck(lambda x: x.float().astype(np.float64) * x,
                                         np.arange(-6, 6).reshape(3, 4) / 8.0, h=2.0 ** -10),
    "Tensor.double": lambda: bn.gradcheck(lambda x: x.double() * x, r(39, 3, 4)),
}


# ---------------------------------------------------------------------- values
def test_binary_values_match_numpy():
    a, b = r(0, 2, 3), positive(1, 3)
    ta, tb = bn.tensor(a), bn.tensor(b)
    for op, ref in [(bn.add, np.add), (bn.sub, np.subtract), (bn.mul, np.multiply),
                    (bn.div, np.divide), (bn.pow, np.power)]:
        np.testing.assert_allclose(op(tb, ta).data, ref(b, a))
    np.testing.assert_allclose((ta @ bn.tensor(r(2, 3, 4))).data, a @ r(2, 3, 4))


@pytest.mark.parametrize("a_shape, b_shape", [((4,), (4,)), ((4,), (4, 3)), ((2, 3, 4), (4,)),
                                              ((4,), (2, 4, 3)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_shapes_follow_numpy(a_shape, b_shape):
    a, b = r(0, *a_shape), r(1, *b_shape)
    out = bn.tensor(a, requires_grad=True) @ bn.tensor(b)
    np.testing.assert_allclose(out.data, a @ b)
    assert out.shape == (a @ b).shape


def test_repeated_operand_gradient_accumulates():
    x = bn.tensor(np.array([3.0]), requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [7.0])   # 2x + 1


def test_ndarray_on_the_left_gives_a_tensor():
    x = bn.tensor(np.ones(3, np.float32), requires_grad=True)
    y = np.arange(3.0) * x + np.float64(1)
    assert isinstance(y, bn.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0, 1, 2])


def test_abs_gradient_at_zero_is_zero():
    x = bn.tensor(np.array([0.0, -2.0, 3.0]), requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, -1.0, 1.0])


def test_clip_passes_gradient_only_inside():
    x = bn.tensor(np.array([-2.0, 0.0, 2.0]), requires_grad=True)
    y = x.clip(-1, 1)
    np.testing.assert_array_equal(y.data, [-1, 0, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 1, 0])


def test_where_routes_gradient_by_condition():
    a = bn.tensor(np.ones(3), requires_grad=True)
    b = bn.tensor(np.ones(3), requires_grad=True)
    cond = bn.tensor(np.array([1.0, 2.0, 3.0])) > 1.5
    bn.where(cond, a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0, 1, 1])
    np.testing.assert_array_equal(b.grad.data, [1, 0, 0])


def test_astype_casts_gradient_back():
    x = bn.tensor(np.ones(3, np.float32), requires_grad=True)
    y = x.astype(np.float64) * np.arange(3.0)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [0, 1, 2])
    assert x.astype(np.float32) is x                     # no-op cast: same tensor
    ints = x.astype(np.int64)
    assert ints.dtype == np.int64 and not ints.requires_grad


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("op, name", [(bn.add, "add"), (bn.sub, "sub"), (bn.mul, "mul"),
                                      (bn.div, "div"), (bn.pow, "pow")])
def test_broadcast_error_names_op_and_shapes(op, name):
    with pytest.raises(ValueError, match=rf"{name}: shapes \(2, 3\) and \(4,\)"):
        op(bn.ones(2, 3), bn.ones(4))


def test_operator_broadcast_error():
    with pytest.raises(ValueError, match=r"mul: shapes \(2, 3\) and \(2,\)"):
        bn.ones(2, 3) * bn.ones(2)


def test_matmul_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned"):
        bn.ones(2, 3) @ bn.ones(4, 5)
    with pytest.raises(ValueError, match=r"matmul: the batch axes of shapes \(2, 3, 4\) and "
                                         r"\(3, 4, 5\)"):
        bn.ones(2, 3, 4) @ bn.ones(3, 4, 5)
    with pytest.raises(ValueError, match="matmul: scalars"):
        bn.matmul(bn.ones(()), bn.ones(3))


def test_clip_needs_a_bound():
    with pytest.raises(ValueError, match="clip: give at least one"):
        bn.ones(3).clip()


def test_where_shape_error():
    with pytest.raises(ValueError, match=r"where: condition \(3,\), a \(2,\)"):
        bn.where(np.ones(3, bool), bn.ones(2), bn.ones(3))


# ------------------------------------------------------------- hypothesis
def _grads_with_shapes(out: bn.Tensor, inputs: list[bn.Tensor]):
    """Gradients straight from the backward closures (create_graph=True returns them
    unreshaped), so that a wrongly shaped gradient cannot be hidden by broadcasting."""
    v = np.random.default_rng(0).standard_normal(out.shape)
    return bn.grad((out * v).sum(), inputs, create_graph=True)


BINARY = {
    "add": bn.add, "sub": bn.sub, "mul": bn.mul, "div": bn.div, "pow": bn.pow,
    "where": lambda a, b: bn.where(alternating(np.broadcast_shapes(a.shape, b.shape)), a, b),
}


@settings(deadline=None, max_examples=25)
@given(op=st.sampled_from(sorted(BINARY)),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_binary_ops_broadcast_gradients(op, shapes, seed):
    a_shape, b_shape = shapes.input_shapes
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 1.5, a_shape)                   # positive: valid for pow and div
    b = rng.uniform(0.5, 1.5, b_shape) * rng.choice([-1.0, 1.0], b_shape)
    ta, tb = bn.tensor(a, requires_grad=True), bn.tensor(b, requires_grad=True)
    ga, gb = _grads_with_shapes(BINARY[op](ta, tb), [ta, tb])
    assert ga.shape == a.shape and gb.shape == b.shape
    result = bn.gradcheck(BINARY[op], a, b)
    assert result.ok, f"{op} {a_shape} {b_shape}: {result}"


@settings(deadline=None, max_examples=25)
@given(shapes=hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=4,
                                                max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_matmul_batch_broadcast_gradients(shapes, seed):
    a_shape, b_shape = shapes.input_shapes
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    ta, tb = bn.tensor(a, requires_grad=True), bn.tensor(b, requires_grad=True)
    out = ta @ tb
    assert out.shape == (a @ b).shape
    ga, gb = _grads_with_shapes(out, [ta, tb])
    assert ga.shape == a.shape and gb.shape == b.shape
    result = bn.gradcheck(bn.matmul, a, b)
    assert result.ok, f"matmul {a_shape} {b_shape}: {result}"
