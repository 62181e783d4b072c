"""Signing in through the real sidebar form in AppTest, with accounts in a temporary users file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.access import users
from geo.access.permissions import User
from tests.conftest import REPO

PASSWORD = "test-passwort-1"


def make_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo accounts (password :data:`PASSWORD`, cheap hashes) in a users file the app reads."""
    path = tmp_path / "users.json"
    for name, role, ags, display in users.DEMO_USERS:
        users.add(name, PASSWORD, role=role, ags=ags, display_name=display, path=path, rounds=4)
    monkeypatch.setenv("FLAECHENPOOL_USERS", str(path))
    return path


def sign_in(name: str, password: str = PASSWORD) -> AppTest:
    """A fresh session that fills in the sidebar's sign-in form."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    at.sidebar.text_input[0].input(name)
    at.sidebar.text_input[1].input(password)
    at.sidebar.button[0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in(name: str, page: str | None = None) -> AppTest:
    """Signed in as *name* (and on *page*)."""
    at = sign_in(name)
    assert any(t.value.startswith("Angemeldet:") for t in at.sidebar.text)
    if page:
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
    return at


def by_label(elements, label: str):
    return next(e for e in elements if e.label == label)


def open_as(page: str, user: User | None = None, **params: str) -> AppTest:
    """*page* in a fresh session with *user* signed in (session state, no form) and the URL *params*."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at
