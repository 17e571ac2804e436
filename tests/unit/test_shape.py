"""Shape ops (shape.py): reshape, permute, broadcast, indexing, concatenation.

GRADCHECK_CASES run in test_gradcheck_coverage.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import brainnet as bn


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def index_case(index, shape=(4, 5)):
    return lambda: bn.gradcheck(lambda x: x[index], r(sum(shape), *shape))


GRADCHECK_CASES = {
    "reshape": lambda: bn.gradcheck(lambda x: bn.reshape(x, 4, -1), r(0, 2, 3, 2)),
    "flatten": lambda: bn.gradcheck(lambda x: bn.flatten(x, 1), r(1, 2, 3, 2)),
    "squeeze": lambda: bn.gradcheck(bn.squeeze, r(2, 1, 3, 1)),
    "squeeze[axis]": lambda: bn.gradcheck(lambda x: bn.squeeze(x, -1), r(2, 1, 3, 1)),
    "unsqueeze": lambda: bn.gradcheck(lambda x: bn.unsqueeze(x, -2), r(3, 2, 3)),
    "permute": lambda: bn.gradcheck(lambda x: bn.permute(x, 2, 0, 1), r(4, 2, 3, 4)),
    "transpose": lambda: bn.gradcheck(lambda x: bn.transpose(x, 0, -1), r(5, 2, 3, 4)),
    "broadcast_to": lambda: bn.gradcheck(lambda x: bn.broadcast_to(x, (2, 3, 4)), r(6, 3, 1)),
    "cat": lambda: bn.gradcheck(lambda a, b, c: bn.cat([a, b, c], axis=-1),
                                r(7, 2, 3), r(8, 2, 1), r(9, 2, 2)),
    "cat[axis 0]": lambda: bn.gradcheck(lambda a, b: bn.concatenate((a, b)), r(7, 2, 3),
                                        r(8, 1, 3)),
    "stack": lambda: bn.gradcheck(lambda a, b: bn.stack([a, b], axis=1), r(10, 2, 3),
                                  r(11, 2, 3)),
    "stack[axis -1]": lambda: bn.gradcheck(lambda a, b: bn.stack([a, b], axis=-1), r(10, 3),
                                           r(11, 3)),
    "Tensor.clone": lambda: bn.gradcheck(lambda x: x.clone() * x, r(19, 2, 3)),
    "Tensor.reshape": lambda: bn.gradcheck(lambda x: x.reshape((3, 4)), r(12, 2, 6)),
    "Tensor.view": lambda: bn.gradcheck(lambda x: x.view(-1), r(13, 2, 6)),
    "Tensor.flatten": lambda: bn.gradcheck(lambda x: x.flatten(), r(14, 2, 3)),
    "Tensor.squeeze": lambda: bn.gradcheck(lambda x: x.squeeze(0), r(15, 1, 3)),
    "Tensor.unsqueeze": lambda: bn.gradcheck(lambda x: x.unsqueeze(0), r(16, 3)),
    "Tensor.permute": lambda: bn.gradcheck(lambda x: x.permute((1, 0, 2)), r(17, 2, 3, 2)),
    "Tensor.transpose": lambda: bn.gradcheck(lambda x: x.transpose(), r(18, 2, 3, 2)),
    "Tensor.T": lambda: bn.gradcheck(lambda x: x.T, r(19, 2, 3)),
    "Tensor.T[3-D]": lambda: bn.gradcheck(lambda x: x.T, r(19, 2, 3, 4)),
    "Tensor.mT": lambda: bn.gradcheck(lambda x: x.mT, r(20, 2, 3, 4)),
    "Tensor.broadcast_to": lambda: bn.gradcheck(lambda x: x.broadcast_to((3, 2, 4)),
                                                r(21, 2, 1)),
    "Tensor.__iter__": lambda: bn.gradcheck(lambda x: bn.stack([row * (i + 1) for i, row in
                                                                 enumerate(x)]), r(22, 3, 2)),
    "Tensor.__getitem__[int]": index_case(2),
    "Tensor.__getitem__[negative int, int]": index_case((-1, 3)),
    "Tensor.__getitem__[slices]": index_case((slice(1, None, 2), slice(None, -1))),
    "Tensor.__getitem__[reversed slice]": index_case(slice(None, None, -1)),
    "Tensor.__getitem__[None, Ellipsis]": index_case((None, Ellipsis, 1)),
    "Tensor.__getitem__[repeated int array]": index_case(np.array([0, 2, 0, 0, 3])),
    "Tensor.__getitem__[repeated list]": index_case([1, 1, 3]),
    "Tensor.__getitem__[repeated pairs]": index_case((np.array([0, 1, 0, 0]),
                                                      np.array([2, 3, 2, 2]))),
    "Tensor.__getitem__[array and slice]": index_case((slice(None), np.array([4, 4, 0]))),
    "Tensor.__getitem__[boolean mask]": index_case(r(30, 4, 5) > 0),
    "Tensor.__getitem__[boolean rows]": index_case(np.array([True, False, True, True])),
    "Tensor.__getitem__[index tensor]": index_case(bn.tensor(np.array([3, 3, 1]))),
}


# --------------------------------------------------------------------- values
def test_reshape_forms_and_values():
    x = bn.tensor(np.arange(12.0))
    assert x.reshape(3, 4).shape == (3, 4)
    assert x.reshape((3, -1)).shape == (3, 4)
    assert x.reshape([2, 2, 3]).shape == (2, 2, 3)
    assert x.view(-1, 6).shape == (2, 6)
    np.testing.assert_array_equal(x.reshape(3, 4).data, np.arange(12.0).reshape(3, 4))


def test_flatten_squeeze_unsqueeze():
    x = bn.zeros(2, 1, 3, 1)
    assert x.flatten().shape == (6,)
    assert x.flatten(1).shape == (2, 3)
    assert x.flatten(1, 2).shape == (2, 3, 1)
    assert x.squeeze().shape == (2, 3)
    assert x.squeeze(1).shape == (2, 3, 1)
    assert x.squeeze(0).shape == x.shape                # not of length 1: unchanged
    assert x.unsqueeze(0).shape == (1, 2, 1, 3, 1)
    assert x.unsqueeze(-1).shape == (2, 1, 3, 1, 1)
    assert bn.tensor(3.0).flatten().shape == (1,)


def test_permute_transpose_T():
    x = r(0, 2, 3, 4)
    t = bn.tensor(x)
    np.testing.assert_array_equal(t.permute(2, 0, 1).data, x.transpose(2, 0, 1))
    np.testing.assert_array_equal(t.transpose(0, 2).data, x.swapaxes(0, 2))
    np.testing.assert_array_equal(t.T.data, x.T)
    np.testing.assert_array_equal(t.mT.data, x.swapaxes(-1, -2))


def test_repeated_indices_accumulate():
    x = bn.tensor(np.zeros(4), requires_grad=True)
    x[np.array([1, 1, 1, 3])].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 3, 0, 1])
    x.grad = None
    x[[0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2, 0, 0, 0])


def test_boolean_mask_from_a_comparison():
    x = bn.tensor(np.array([-1.0, 2.0, -3.0, 4.0]), requires_grad=True)
    y = x[x > 0]
    np.testing.assert_array_equal(y.data, [2.0, 4.0])
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 4, 0, 8])


def test_cat_and_stack_values():
    a, b = r(0, 2, 3), r(1, 2, 3)
    np.testing.assert_array_equal(bn.cat([bn.tensor(a), bn.tensor(b)], axis=1).data,
                                  np.concatenate([a, b], axis=1))
    np.testing.assert_array_equal(bn.stack([bn.tensor(a), bn.tensor(b)], axis=-1).data,
                                  np.stack([a, b], axis=-1))
    assert bn.concatenate is bn.cat


def test_cat_only_differentiates_inputs_that_need_it():
    a = bn.tensor(np.ones((2, 2)), requires_grad=True)
    b = bn.tensor(np.ones((2, 3)))
    (bn.cat([a, b], axis=1) * np.arange(5.0)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[0, 1], [0, 1]])
    assert b.grad is None


# --------------------------------------------------------------------- errors
def test_reshape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) "
                                         r"\(6 elements\) into \(4,\)"):
        bn.ones(2, 3).reshape(4)


def test_cat_error_names_the_shapes():
    with pytest.raises(ValueError, match=r"cat: shapes \[\(2, 3\), \(3, 3\)\] must agree on "
                                         r"every axis except 1"):
        bn.cat([bn.ones(2, 3), bn.ones(3, 3)], axis=1)
    with pytest.raises(ValueError, match=r"cat: axis 2 is out of range for a tensor of shape "
                                         r"\(2, 3\)"):
        bn.cat([bn.ones(2, 3), bn.ones(2, 3)], axis=2)
    with pytest.raises(ValueError, match="cat: needs at least one tensor"):
        bn.cat([])


def test_stack_error_names_the_shapes():
    with pytest.raises(ValueError, match=r"stack: all tensors must have the same shape, got "
                                         r"\[\(2,\), \(3,\)\]"):
        bn.stack([bn.ones(2), bn.ones(3)])


def test_broadcast_to_error():
    with pytest.raises(ValueError, match=r"broadcast_to: cannot broadcast shape \(2,\) to "
                                         r"\(3,\)"):
        bn.ones(2).broadcast_to((3,))


def test_index_error_mentions_shape():
    with pytest.raises(IndexError, match=r"getitem: .*\(tensor shape \(2, 3\)\)"):
        bn.ones(2, 3)[5]


@pytest.mark.parametrize("call, message", [
    (lambda x: x.permute(0, 3), r"permute: axis 3 is out of range for a tensor of shape "
                                r"\(2, 3\)"),
    (lambda x: x.permute(0, 0), r"permute: \(0, 0\) is not a permutation"),
    (lambda x: x.permute(1), r"permute: \(1,\) is not a permutation"),
    (lambda x: x.transpose(0, 2), r"transpose: axis 2 is out of range for a tensor of shape"),
    (lambda x: x.squeeze(2), r"squeeze: axis 2 is out of range for a tensor of shape "
                             r"\(2, 3\)"),
    (lambda x: x.unsqueeze(3), r"unsqueeze: axis 3 is out of range for a tensor of shape "
                               r"\(2, 3\)"),
    (lambda x: x.flatten(0, 4), r"flatten: axis 4 is out of range"),
])
def test_axis_errors(call, message):
    """An out-of-range axis is an error, not silently wrapped round to another axis."""
    with pytest.raises(ValueError, match=message):
        call(bn.ones(2, 3))
