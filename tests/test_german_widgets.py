"""English that Streamlit would put into our widgets, switched off where Streamlit 1.67 lets us."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _calls(name: str) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted([*ROOT.glob("ui/*.py"), *ROOT.glob("views/*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def test_every_multiselect_is_without_the_english_select_all_and_has_a_german_placeholder():
    calls = _calls("multiselect")
    assert calls
    for where, call in calls:
        keywords = {k.arg: k.value for k in call.keywords}
        assert isinstance(keywords.get("select_all"), ast.Constant) and keywords["select_all"].value is False, where
        assert "placeholder" in keywords, where  # Streamlit's default is "Choose options"


def test_every_selectbox_has_a_german_placeholder():
    """Streamlit's default "Choose an option" stands in the empty box and in the input's placeholder."""
    calls = _calls("selectbox")
    assert calls
    missing = [where for where, call in calls if not any(k.arg == "placeholder" for k in call.keywords)]
    assert not missing
