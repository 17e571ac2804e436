"""The 2-D surfaces have the gradients calculus says, and the optimisers behave on them."""

import numpy as np
import pytest

import brainnet as bn
from brainnet import landscapes as L


def test_surface_gradients_match_calculus_and_finite_differences():
    p = np.array([0.3, -0.7])
    for fn in (L.quadratic, L.rosenbrock):
        assert bn.gradcheck(fn, p).ok
    t = bn.tensor(p, requires_grad=True)
    L.rosenbrock(t).backward()
    x, y = p
    expected = [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
    np.testing.assert_allclose(t.grad.numpy(), expected)
    t = bn.tensor(p, requires_grad=True)
    L.quadratic(t).backward()
    np.testing.assert_allclose(t.grad.numpy(), [1.0 * x, 10.0 * y])


def test_grid_matches_pointwise_values():
    X, Y, Z = L.ROSENBROCK.grid(7)
    i, j = 3, 5
    assert Z[i, j] == pytest.approx(L.rosenbrock(bn.tensor([X[i, j], Y[i, j]])).item())
    assert Z.shape == (7, 7)


@pytest.mark.parametrize("name", L.OPTIMIZERS)
def test_every_optimizer_reaches_the_quadratic_minimum(name):
    lr = {"gd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.05, "adam": 0.1}[name]
    path = L.trajectory("quadratic", name, lr=lr, steps=300)
    assert not path.diverged and path.losses[-1] < 1e-4
    assert path.points.shape == (301, 2) and path.losses.shape == (301,)


def test_stability_limit_is_two_over_lambda_max():
    assert L.divergence_threshold("quadratic") == pytest.approx(2 / 10.0, rel=0.01)
    short = L.trajectory("quadratic", "gd", lr=0.25, steps=500)
    assert short.diverged and len(short.points) < 500


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        L.trajectory("quadratic", "lbfgs")
    with pytest.raises(ValueError, match="surface must be one of"):
        L.trajectory("himmelblau")
    with pytest.raises(ValueError, match="start must have 2 coordinates"):
        L.trajectory("quadratic", start=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="lr > 0"):
        L.trajectory("quadratic", lr=0)
