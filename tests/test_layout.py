"""The house rules a newcomer relies on: modules import downward only, and the fitted state
has one definition that fit, save, load and the Dask engine all use."""

from __future__ import annotations

import ast

import numpy as np

from analysis.state import FIELDS, FittedState
from conftest import ROOT, fake_vectors

PACKAGE = ROOT / "analysis"


def import_graph() -> dict[str, set[str]]:
    """Module -> the analysis modules it imports, at module level or inside functions."""
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module in modules:
        for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
                parts = node.module.split(".")
                graph[module] |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names} & modules
            elif isinstance(node, ast.Import):
                graph[module] |= {a.name.split(".")[1] for a in node.names if a.name.startswith("analysis.")}
    return graph


def test_no_import_circle_in_the_package():
    graph = import_graph()
    for start in graph:
        seen, stack = set(), list(graph[start])
        while stack:
            module = stack.pop()
            assert module != start, f"{start} imports itself through {sorted(seen)}"
            if module not in seen:
                seen.add(module)
                stack.extend(graph.get(module, ()))


def test_no_module_imports_the_package_init():
    """`from analysis import __version__` (or any name that is not a module) runs the package's
    __init__ from inside a stage: shared facts live in the leaf module analysis/meta.py."""
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    for module in modules - {"__init__"}:
        for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "analysis":
                assert {a.name for a in node.names} <= modules, f"{module} imports {node.names[0].name} from __init__"
            elif isinstance(node, ast.Import):
                assert all(a.name != "analysis" for a in node.names), f"{module} imports the package"


def test_distributed_and_persist_never_see_the_estimator():
    graph = import_graph()
    assert "pipeline" not in graph["distributed"] and "pipeline" not in graph["persist"]


def test_fit_save_and_load_carry_every_field_of_the_one_state(tmp_path):
    from analysis.pipeline import TopicMap

    texts = [f"headline {i} about {w}" for i, w in enumerate(["rates", "storms", "talks", "tariffs"] * 5)]
    fitted = TopicMap(cache=False).fit(texts, embeddings=fake_vectors(texts))
    assert all(hasattr(fitted, f"{name}_") for name in FIELDS)
    fitted.save(tmp_path / "map")
    loaded = TopicMap.load(tmp_path / "map")
    for name in FIELDS:
        before, after = getattr(fitted, f"{name}_"), getattr(loaded, f"{name}_")
        if isinstance(before, np.ndarray):
            assert np.array_equal(before, after), name
        elif hasattr(before, "equals"):
            assert before.astype(str).equals(after.astype(str)), name
        else:
            assert before == after, name
    assert isinstance(loaded._state(), FittedState)
