"""float32 in, float32 out: every public op and layer, on float32 inputs, computes in
float32, and so do its gradients. On integer inputs, an op either refuses them clearly
or gives float32 (integer arithmetic and shape ops may stay integer, as in PyTorch);
never float64.

The ops and their inputs come from the gradient-check registry
(``test_gradcheck_coverage.py``): each case is run again with its float64 inputs
replaced by float32 ones (and by integers), in place of the gradient check.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from test_gradcheck_coverage import CASES, _test_modules

import brainnet as bn
from brainnet import nn
from brainnet.autograd import enable_grad, no_grad

#: Cases whose function builds its own float64 data, so the output is float64 by design.
FLOAT64_BY_DESIGN = {
    "Tensor.double": "casts to float64: that is what it is for",
    "Tensor.astype": "casts to the dtype it is given",
    "Tensor.float": "the case casts the float32 result back to float64 on purpose",
}
MODULES = [module for _, module in _test_modules()]


class _Probed(Exception):
    """Raised by the probe to stop the case after it has checked the dtypes."""


def _float32_probe(f, leaves, *args, **kwargs):
    for t in leaves:
        t.data = t.data.astype(np.float32)
        t.grad = None
    with enable_grad():
        out = f()
        assert out.dtype == np.float32, f"output became {out.dtype}"
        (out * bn.ones(out.shape)).sum().backward()
    for i, t in enumerate(leaves):
        if t.grad is not None:
            assert t.grad.dtype == np.float32, f"gradient {i} became {t.grad.dtype}"
    raise _Probed


def _int_probe(f, leaves, *args, **kwargs):
    for t in leaves:
        if isinstance(t, nn.Parameter):
            t.data = t.data.astype(np.float32)
        else:
            t.requires_grad = False
            t.data = np.round(3 * t.data).astype(np.int64)
    try:
        with no_grad():
            out = f()
    except (TypeError, ValueError, IndexError) as e:        # refused: must name what
        assert str(e).split(":")[0], e
        raise _Probed from None
    assert out.dtype != np.float64, f"integer input gave {out.dtype}"
    raise _Probed


def _run_with(probe, name, monkeypatch):
    monkeypatch.setattr(importlib.import_module("brainnet.gradcheck"), "check_leaves", probe)
    for module in MODULES:
        if hasattr(module, "check_leaves"):
            monkeypatch.setattr(module, "check_leaves", probe)
    with pytest.raises(_Probed):
        CASES[name][1]()


NAMES = sorted(n for n in CASES if n.split("[")[0] not in FLOAT64_BY_DESIGN)


@pytest.mark.parametrize("name", NAMES, ids=[f"{CASES[n][0]}:{n}" for n in NAMES])
def test_float32_in_float32_out(name, monkeypatch):
    _run_with(_float32_probe, name, monkeypatch)


@pytest.mark.parametrize("name", NAMES, ids=[f"{CASES[n][0]}:{n}" for n in NAMES])
def test_integers_in_never_float64_out(name, monkeypatch):
    _run_with(_int_probe, name, monkeypatch)


def test_exemptions_name_cases():
    assert set(FLOAT64_BY_DESIGN) <= {n.split("[")[0] for n in CASES}
