"""Every public differentiable op of brainnet has a gradient check, and every check passes.

The contract (chapter engineers: this is all you need to know)
---------------------------------------------------------------
* Any test module ``tests/test_*.py`` may define, at module level,

      GRADCHECK_CASES = {"name": zero-argument callable returning a GradcheckResult}

  e.g. ``{"conv2d": lambda: bn.gradcheck(F.conv2d, x, w), "Conv2d": ...}``. This file
  imports every such module, merges the dicts (a name may appear only once), runs every
  case and asserts ``.ok`` (float64, relative error < 1e-6). The pytest id of a case is
  ``<file stem>:<name>``, so ``pytest tests/test_gradcheck_coverage.py -k test_conv``
  runs one file's cases. Running them here is enough; a file need not run its own.
* A case's name says which op it covers:
    - a function or layer: its public name, e.g. ``"cross_entropy"``, ``"Linear"``, or
      its qualified name ``"brainnet.conv.conv2d"`` (needed only if two different public
      objects share a bare name). One case covers every alias of the same object
      (``F.relu`` is ``F.relu``; ``bn.cat`` is ``bn.concatenate``).
    - a Tensor method, property or operator: ``"Tensor.exp"``, ``"Tensor.T"``,
      ``"Tensor.__add__"``.
    - Variants add a bracketed suffix, ``"cross_entropy[probabilities]"``; any variant
      covers its op. Cases that cover no public op (helpers, references) are run too.
* The public differentiable API is:
    - Tensor's public methods and properties, and the dunders it defines itself;
    - the callables in ``brainnet.__all__``;
    - ``brainnet.functional.__all__``;
    - the ``nn.Module`` subclasses in ``brainnet.nn.__all__``;
    - the functions and ``nn.Module`` subclasses in the ``__all__`` of each module in
      EXTRA_MODULES below, and of every brainnet submodule whose source has a line
      ``__gradcheck__ = True`` (found by reading the files, so nothing else is imported).
  minus NOT_DIFFERENTIABLE below, plus any test module's optional
  ``GRADCHECK_EXEMPT = {"name": "reason"}`` for its own non-differentiable names.
* The test fails listing every public op with neither a case nor an exemption, and
  every exemption that names no public op (so the list cannot go stale).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest

import brainnet as bn
from brainnet import functional as F
from brainnet import nn

gradcheck_module = importlib.import_module("brainnet.gradcheck")  # bn.gradcheck is the function

#: Modules whose __all__ is public differentiable API beyond brainnet, brainnet.functional
#: and brainnet.nn, e.g. "brainnet.conv". A module can instead opt in itself with a line
#: ``__gradcheck__ = True``.
EXTRA_MODULES: list[str] = []

TESTS = Path(__file__).resolve().parent
PACKAGE = Path(bn.__file__).resolve().parent

_SHAPE = "describes the tensor; no values flow through it"
_OUT = "leaves the graph (returns numpy, a Python value or a detached tensor)"
_STATE = "changes autograd bookkeeping, not values"
_CMP = "comparison: a boolean tensor outside the graph, as in PyTorch"
_INT = "integer result outside the graph"

#: Public names that are not differentiable ops, each with the reason.
NOT_DIFFERENTIABLE: dict[str, str] = {
    # Tensor: description and leaving the graph
    "Tensor.shape": _SHAPE, "Tensor.ndim": _SHAPE, "Tensor.dtype": _SHAPE,
    "Tensor.is_leaf": _SHAPE, "Tensor.size": _SHAPE, "Tensor.numel": _SHAPE,
    "Tensor.__len__": _SHAPE, "Tensor.__repr__": _SHAPE, "Tensor.__init__": "constructor",
    "Tensor.item": _OUT, "Tensor.tolist": _OUT, "Tensor.numpy": _OUT, "Tensor.detach": _OUT,
    "Tensor.__array__": _OUT, "Tensor.__bool__": _OUT,
    "Tensor.argmax": _INT, "Tensor.argmin": _INT,
    "Tensor.data": "the values themselves (an array); assigning marks the tensor changed",
    "Tensor.requires_grad": _STATE,
    "Tensor.__array_ufunc__": "numpy interop: sends arithmetic to brainnet's ops (checked "
                              "there) and refuses other ufuncs on tensors that need grad",
    "Tensor.__array_function__": "numpy interop: refuses numpy functions on tensors that "
                                 "need grad",
    "Tensor.backward": _STATE, "Tensor.retain_grad": _STATE,
    "Tensor.requires_grad_": _STATE, "Tensor.zero_grad": _STATE,
    "Tensor.__lt__": _CMP, "Tensor.__le__": _CMP, "Tensor.__gt__": _CMP,
    "Tensor.__ge__": _CMP, "Tensor.__eq__": _CMP, "Tensor.__ne__": _CMP,
    # brainnet: constructors, modes, tools (the tools have their own tests)
    "Tensor": "the class itself; its methods are listed one by one",
    "tensor": "constructor", "as_tensor": "constructor", "zeros": "constructor",
    "ones": "constructor",
    "no_grad": _STATE, "enable_grad": _STATE, "set_grad_enabled": _STATE,
    "is_grad_enabled": _STATE,
    "grad": "the engine; checked against finite differences in test_autograd.py",
    "hvp": "the engine; checked against finite differences in test_autograd.py",
    "gradcheck": "the checker itself (test_gradcheck.py)",
    "gradcheck_module": "the checker itself (test_gradcheck.py)",
    "GradcheckResult": "the checker's result type",
    "manual_seed": "seeds the default random generator",
    "fit": "training loop (test_train.py)", "evaluate": "evaluation loop (test_train.py)",
    "accuracy": "a metric on numpy values", "TrainingDiverged": "an exception",
    # functional
    "one_hot": "indicator vectors of integer labels; no float input",
    # nn
    "ModuleList": "a container without forward(); its members are checked",
}


# ------------------------------------------------------------------- public API
def _gradcheck_modules() -> list[str]:
    """EXTRA_MODULES, plus brainnet submodules that opt in with ``__gradcheck__ = True``."""
    names = list(EXTRA_MODULES)
    for path in sorted(PACKAGE.rglob("*.py")):
        if re.search(r"^__gradcheck__\s*=\s*True\b", path.read_text(), re.MULTILINE):
            parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if name not in names:
                names.append(name)
    return names


def public_ops() -> dict[int, tuple[object, set[str]]]:
    """id(object) -> (object, every name it may be covered or exempted by)."""
    ops: dict[int, tuple[object, set[str]]] = {}

    def add(obj, *names: str) -> None:
        ops.setdefault(id(obj), (obj, set()))[1].update(names)

    for name, attr in vars(bn.Tensor).items():
        if inspect.isfunction(attr) or isinstance(attr, property):
            if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
                add(attr, f"Tensor.{name}")

    def export(module, members, keep) -> None:
        for name in members:
            obj = getattr(module, name)
            if keep(obj):
                add(obj, name, f"{module.__name__}.{name}")

    is_layer = lambda obj: (inspect.isclass(obj) and issubclass(obj, nn.Module)  # noqa: E731
                            and obj is not nn.Module)
    ours = lambda obj: (callable(obj) and not inspect.ismodule(obj)  # noqa: E731
                        and getattr(obj, "__module__", "").startswith("brainnet"))
    export(bn, bn.__all__, ours)
    export(F, F.__all__, callable)
    export(nn, nn.__all__, is_layer)
    for module_name in _gradcheck_modules():
        module = importlib.import_module(module_name)
        export(module, module.__all__, lambda obj: inspect.isfunction(obj) or is_layer(obj))

    # A bare name shared by two different objects is ambiguous: drop it (qualified
    # names still work).
    owners: dict[str, int] = {}
    for key, (_, names) in ops.items():
        for n in names:
            owners[n] = -1 if owners.get(n, key) != key else key
    for _, names in ops.values():
        names.difference_update({n for n in names if owners[n] == -1})
    return ops


# ------------------------------------------------------------------------ cases
def _test_modules():
    """Every tests/test_*.py that mentions GRADCHECK_CASES, imported once: a module
    pytest has already imported is reused, and one imported here is registered under
    the name pytest gives it, so pytest reuses it in turn."""
    for path in sorted(TESTS.glob("test_*.py")):
        if "GRADCHECK_CASES" not in path.read_text() or path == Path(__file__).resolve():
            continue
        module = next((m for m in list(sys.modules.values())
                       if getattr(m, "__file__", None) and Path(m.__file__).resolve() == path),
                      None)
        if module is None:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[path.stem] = module
            spec.loader.exec_module(module)
        yield path.stem, module


def collect() -> tuple[dict, dict, list[str]]:
    """(name -> (file stem, case), name -> exemption reason, duplicate names)."""
    cases, exempt, duplicates = {}, dict(NOT_DIFFERENTIABLE), []
    for stem, module in _test_modules():
        for name, case in getattr(module, "GRADCHECK_CASES", {}).items():
            if name in cases:
                duplicates.append(f"{name} ({cases[name][0]} and {stem})")
            cases[name] = (stem, case)
        exempt.update(getattr(module, "GRADCHECK_EXEMPT", {}))
    return cases, exempt, duplicates


CASES, EXEMPT, DUPLICATES = collect()


def _base(name: str) -> str:
    return name.split("[", 1)[0]


def test_case_names_are_unique():
    assert not DUPLICATES, f"gradient-check cases defined twice: {DUPLICATES}"


def missing_ops(cases, exempt) -> list[str]:
    """Shortest name of every public op with neither a case nor an exemption."""
    covered = {_base(name) for name in cases}
    return sorted(min(names, key=len) for _, names in public_ops().values()
                  if names and not names & covered and not names & set(exempt))


def test_every_public_op_has_a_gradcheck_case():
    missing = missing_ops(CASES, EXEMPT)
    assert not missing, (
        f"{len(missing)} public differentiable op(s) have no gradient check: {missing}. "
        "Add a case to GRADCHECK_CASES in the op's test file (see this file's docstring), "
        "or, if the op is truly not differentiable, an exemption with the reason.")


def test_exemptions_name_public_ops():
    public = set().union(*(names for _, names in public_ops().values()))
    stale = sorted(set(EXEMPT) - public)
    assert not stale, f"exemptions that name no public op (remove them): {stale}"


def test_ops_are_found():
    """The enumeration itself works: a few known ops are listed under their names."""
    names = set().union(*(names for _, names in public_ops().values()))
    assert {"Tensor.__add__", "Tensor.T", "exp", "cross_entropy", "Linear",
            "brainnet.functional.cross_entropy"} <= names
    assert "Module" not in names and "Parameter" not in names


def test_a_missing_case_is_reported():
    """The check has teeth: drop the cases of one op (all its variants) or one alias
    and it is listed, under its shortest name."""
    without = {k: v for k, v in CASES.items() if _base(k) not in ("Tensor.T", "cat")}
    assert missing_ops(without, EXEMPT) == ["Tensor.T", "cat"]
    # Tensor.__add__ is the op add itself, so it is listed under the shorter name
    assert {"add", "Tensor.__radd__"} <= set(missing_ops({}, EXEMPT))


def test_modules_opt_in_with_a_marker(tmp_path, monkeypatch):
    package = tmp_path / "brainnet"
    (package / "brain").mkdir(parents=True)
    (package / "rnn.py").write_text('"""RNNs."""\n__gradcheck__ = True\n')
    (package / "brain" / "__init__.py").write_text("__gradcheck__ = True  # the chapter's ops\n")
    (package / "viz.py").write_text("# __gradcheck__ = True is only mentioned here\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    monkeypatch.setattr(sys.modules[__name__], "EXTRA_MODULES", ["brainnet.conv"])
    assert _gradcheck_modules() == ["brainnet.conv", "brainnet.brain", "brainnet.rnn"]


@pytest.mark.parametrize("name", sorted(CASES), ids=[f"{CASES[n][0]}:{n}" for n in sorted(CASES)])
def test_gradcheck_case(name):
    result = CASES[name][1]()
    assert isinstance(result, bn.GradcheckResult), f"{name}: the case must return a result"
    assert result.ok, f"{name}: {result}; errors per input {result.errors}"


#: Ops whose gradient is not differentiated again, each with the reason. Every other
#: case above is run a second time as a second-order check.
FIRST_ORDER_ONLY: dict[str, str] = {
    "conv2d_naive": "the loop reference is first-order only, and says so when asked",
    "Tensor.float": "its value passes through float32, whose rounding (1e-7) swamps a "
                    "finite difference of the gradient; Tensor.double covers the cast op",
}

SECOND = sorted(n for n in CASES if _base(n) not in FIRST_ORDER_ONLY
                and not _base(n).endswith("conv2d_naive"))


@pytest.mark.parametrize("name", SECOND, ids=[f"{CASES[n][0]}:{n}" for n in SECOND])
def test_second_order_case(name, monkeypatch):
    """The same case with second derivatives: H u from create_graph=True against the
    finite difference of the gradient along u (``gradcheck(order=2)``)."""
    monkeypatch.setattr(gradcheck_module, "DEFAULT_ORDER", 2)
    result = CASES[name][1]()
    assert result.ok, f"{name} (second order): {result}; errors per input {result.errors}"


def test_first_order_exemptions_name_cases():
    assert set(FIRST_ORDER_ONLY) <= {_base(n) for n in CASES}
