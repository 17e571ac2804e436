"""brainnet.brain.hebb: plain Hebbian learning and Oja's rule."""

from __future__ import annotations

import numpy as np
import pytest

from brainnet.brain import hebb


def correlated(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.multivariate_normal([0, 0], [[3.0, 1.2], [1.2, 1.0]], size=n)


@pytest.mark.parametrize("seed", range(3))
def test_oja_converges_to_the_first_principal_component(seed):
    X = correlated(seed=seed)
    trace = hebb.oja(X, lr=0.001, epochs=3, rng=seed)
    assert hebb.angle(trace.w, hebb.principal_component(X)) < 3.0
    assert np.linalg.norm(trace.w) == pytest.approx(1.0, abs=0.02)


def test_oja_in_higher_dimensions():
    rng = np.random.default_rng(1)
    basis, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    scales = np.array([3.0, 1.5, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    X = rng.normal(size=(2000, 10)) * scales @ basis.T
    trace = hebb.oja(X, lr=0.001, epochs=5, rng=0)
    assert hebb.angle(trace.w, hebb.principal_component(X)) < 3.0
    assert hebb.angle(hebb.principal_component(X), basis[:, 0]) < 5.0


def test_plain_hebb_blows_up():
    X = correlated()
    trace = hebb.hebb(X, lr=0.01, epochs=3, rng=0)
    assert trace.norms[-1] > 1e10 * trace.norms[0]
    big = hebb.hebb(X, lr=0.5, epochs=20, rng=0)
    assert big.diverged_at is not None and np.isfinite(big.w).all()


def test_history_is_recorded():
    X = correlated(100)
    trace = hebb.oja(X, lr=0.01, epochs=2, rng=0, record_every=10)
    assert trace.weights.shape == (21, 2)
    assert trace.steps.tolist() == list(range(0, 201, 10))
    w0 = np.array([1.0, 0.0])
    trace = hebb.oja(X, lr=0.01, w0=w0, shuffle=False, rng=0)
    np.testing.assert_array_equal(trace.weights[0], w0)


def test_angle_ignores_sign():
    assert hebb.angle([1, 0], [-1, 0]) == pytest.approx(0.0)
    assert hebb.angle([1, 0], [0, 2]) == pytest.approx(90.0)
    assert hebb.angle([1, 1], [1, 0]) == pytest.approx(45.0)


def test_input_validation():
    X = correlated(50)
    with pytest.raises(ValueError, match="lr"):
        hebb.oja(X, lr=-0.1)
    with pytest.raises(ValueError, match="epochs"):
        hebb.hebb(X, lr=0.1, epochs=0)
    with pytest.raises(ValueError, match=r"w0 must have shape \(2,\)"):
        hebb.oja(X, lr=0.1, w0=[1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="2-D"):
        hebb.oja(X[:, 0], lr=0.1)
    with pytest.raises(ValueError, match="NaN"):
        hebb.oja(np.full((3, 2), np.nan), lr=0.1)
    with pytest.raises(ValueError, match="record_every"):
        hebb.oja(X, lr=0.1, record_every=0)
    with pytest.raises(ValueError, match="non-zero"):
        hebb.angle([0, 0], [1, 0])
    with pytest.raises(ValueError, match="same length"):
        hebb.angle([1, 0], [1, 0, 0])
    with pytest.raises(ValueError, match="at least 2 rows"):
        hebb.principal_component(np.ones((1, 3)))
