"""brainnet is layered one way: every module imports only modules below it.

The layers, bottom to top (brainnet/__init__.py describes them):

    0  numerics, rng                         numpy formulas, random generators
    1  tensor                                the Tensor
    2  autograd                              recording and the backward pass
    3  ops/*                                 every op, defined once
    4  functional, methods                   facades over the ops
    5  nn/*, optim, data, gradcheck          layers, optimisers, data, checks
    6  train, landscapes                     training loops, loss surfaces
    7  brain/*                               the chapters' models
    8  the package (__init__)

Within a layer, modules may import each other as long as no import circle forms.
The book's machinery (``bookkit``) sits above it all, and brainnet never imports it,
nor matplotlib or ipywidgets. The imports are read from the source (every ``import``
statement, also those inside functions), so nothing is executed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import brainnet

PACKAGE = Path(brainnet.__file__).resolve().parent

LAYERS = {
    "numerics": 0, "rng": 0,
    "tensor": 1,
    "autograd": 2,
    "ops": 3,
    "functional": 4, "methods": 4,
    "nn": 5, "optim": 5, "data": 5, "gradcheck": 5,
    "train": 6, "landscapes": 6,
    "brain": 7,
    "__init__": 8,
}

FORBIDDEN = ("bookkit", "matplotlib", "ipywidgets")
"""(IPython is allowed: ``fit``'s progress line updates in place inside Jupyter, and it
imports IPython only when it runs there.)"""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name: str) -> int:
    """The layer of a brainnet module, e.g. 'brainnet.ops.arith' -> 3."""
    parts = name.split(".")
    if len(parts) == 1:
        return LAYERS["__init__"]
    return LAYERS[parts[1]]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file."""
    tree = ast.parse(path.read_text())
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:  # from . import x: each name is a module
                    found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
                    continue
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return found


def resolve(name: str) -> str:
    """The brainnet module a name refers to ('brainnet.ops.arith.add' -> its module)."""
    while name.count(".") and not _exists(name):
        name = name.rsplit(".", 1)[0]
    return name


def _exists(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel / "__init__.py").exists()


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_imports_only_go_down(path):
    me = module_name(path)
    mine = layer(me)
    for line, target in imports(path):
        top = target.split(".")[0]
        assert top not in FORBIDDEN, f"{me}:{line} imports {target}: brainnet never imports it"
        if top != "brainnet":
            continue
        target = resolve(target)
        if target == "brainnet" and me != "brainnet":
            raise AssertionError(f"{me}:{line} imports the package itself; import the "
                                 "module it needs")
        assert layer(target) <= mine, (
            f"{me} (layer {mine}) imports {target} (layer {layer(target)}), a layer above "
            f"it, at line {line}. Move the shared code down, or the importer up.")


def test_no_import_circle():
    """The graph of brainnet-internal imports has no cycle (depth-first search)."""
    graph = {module_name(p): {resolve(t) for _, t in imports(p) if t.split(".")[0] == "brainnet"}
             - {module_name(p)} for p in SOURCES}
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                raise AssertionError(f"import circle: {' -> '.join(trail[trail.index(nxt):])}"
                                     f" -> {nxt}")
            if nxt not in done:
                visit(nxt, trail + [nxt])
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            visit(node, [node])


def test_the_checker_catches_an_upward_import(tmp_path):
    fake = tmp_path / "brainnet"
    (fake / "ops").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "tensor.py").write_text("from .nn import Linear\n")
    (fake / "nn.py").write_text("")
    globals()["PACKAGE"] = fake
    try:
        with pytest.raises(AssertionError, match="layer 1.*imports brainnet.nn"):
            test_imports_only_go_down(fake / "tensor.py")
    finally:
        globals()["PACKAGE"] = Path(brainnet.__file__).resolve().parent
