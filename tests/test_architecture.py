"""Who may import whom: the layers of geo/ stay visible in the code, not only in the folders.

- ``geo`` (schema, errors, config, fmt) is the contract: it imports no other part of geo/.
- ``geo.store`` is the only I/O: it imports only the contract (and itself).
- ``geo.map``, ``geo.display`` and ``geo.reports`` never import the store: they work on frames
  that a page or a command read through the store.
- Nothing in geo/ imports Streamlit or the ui/ adapters.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"
CONTRACT = {"geo", "geo.schema", "geo.errors", "geo.config", "geo.fmt"}


def _module(path: Path) -> str:
    parts = path.relative_to(GEO.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module *path* imports, at any depth of the file (lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


MODULES = {_module(p): _imports(p) for p in sorted(GEO.rglob("*.py"))}


def _geo_imports(module: str) -> set[str]:
    return {name for name in MODULES[module] if name == "geo" or name.startswith("geo.")}


def _is_module(name: str) -> bool:
    return name in MODULES


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("geo.store")))
def test_the_store_imports_only_the_contract(module):
    allowed = {n for n in _geo_imports(module) if n in CONTRACT or n.startswith("geo.store")}
    others = {n for n in _geo_imports(module) if _is_module(n)} - allowed
    assert not others, f"{module} imports {sorted(others)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.split(".")[1:2] in (["map"], ["display"],
                                                                                     ["reports"])))
def test_map_display_and_reports_never_touch_the_store(module):
    store = {n for n in _geo_imports(module) if n == "geo.store" or n.startswith("geo.store.")}
    assert not store, f"{module} imports {sorted(store)}"


@pytest.mark.parametrize("module", sorted(CONTRACT - {"geo"}))
def test_the_contract_imports_no_other_part_of_geo(module):
    others = {n for n in _geo_imports(module) if _is_module(n)} - CONTRACT
    assert not others, f"{module} imports {sorted(others)}"


def test_geo_has_no_streamlit_and_no_ui():
    offenders = {m: sorted(n for n in names if n.split(".")[0] in ("streamlit", "ui"))
                 for m, names in MODULES.items()}
    assert not {m: n for m, n in offenders.items() if n}


def test_the_rules_see_every_layer():
    packages = {m.split(".")[1] for m in MODULES if m.count(".") >= 1}
    assert {"store", "accounting", "access", "upload", "map", "reports", "display"} <= packages
