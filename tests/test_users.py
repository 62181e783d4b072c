"""The embedded users file: bcrypt hashes, sign-in without user enumeration, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.access import users
from geo.access.permissions import User
from geo.errors import DataError
from tests.conftest import REPO, WURZEN


@pytest.fixture
def users_file(tmp_path):
    return tmp_path / "users.json"


def test_add_then_authenticate_with_a_salted_bcrypt_hash(users_file):
    user = users.add("Wurzen.GIS", "geheim-genug", role="gis", ags=WURZEN, path=users_file, rounds=4)
    assert user == User("wurzen.gis", "gis", WURZEN)
    assert users.authenticate("wurzen.gis", "geheim-genug", path=users_file) == user
    stored = json.loads(users_file.read_text())["users"][0]
    assert stored["password_hash"].startswith("$2b$04$") and "geheim" not in users_file.read_text()
    again = users.add("zweiter", "geheim-genug", role="lesen", path=users_file, rounds=4)
    second = json.loads(users_file.read_text())["users"][1]["password_hash"]
    assert again.role == "lesen" and second != stored["password_hash"]  # salted
    assert not list(users_file.parent.glob(".users-*.json")), "temporary file left behind"


def test_wrong_password_and_unknown_user_look_the_same(users_file):
    users.add("leser", "geheim-genug", role="lesen", path=users_file, rounds=4)
    assert users.authenticate("leser", "falsch-falsch", path=users_file) is None
    assert users.authenticate("niemand", "geheim-genug", path=users_file) is None
    assert users.authenticate("leser", "", path=users_file) is None


def test_oidc_only_users_cannot_sign_in_with_a_password(users_file):
    users.add("kim@leipzig.de", None, role="gis", ags="14713000", path=users_file)
    assert users.authenticate("kim@leipzig.de", "", path=users_file) is None
    assert users.find("KIM@leipzig.de", path=users_file) == User("kim@leipzig.de", "gis", "14713000")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"username": "x", "role": "lesen"}, "Ungültiger Benutzername"),
    ({"username": "anna", "role": "chef"}, "Unbekannte Rolle „chef“"),
    ({"username": "anna", "role": "gis"}, "Die Rolle gis braucht eine Gemeinde"),
    ({"username": "anna", "role": "gis", "ags": "99999999"}, "Die Rolle gis braucht eine Gemeinde"),
    ({"username": "anna", "role": "lesen", "password": "kurz"}, "zu kurz"),
])
def test_bad_input_is_refused_in_german(users_file, kwargs, message):
    password = kwargs.pop("password", "lang-genug-1")
    with pytest.raises(DataError, match=message):
        users.add(password=password, path=users_file, rounds=4, **kwargs)
    assert not users_file.exists()


def test_remove(users_file):
    users.add("leser", "geheim-genug", role="lesen", path=users_file, rounds=4)
    users.remove("leser", path=users_file)
    assert users.load(users_file) == {}
    with pytest.raises(DataError, match="gibt es nicht"):
        users.remove("leser", path=users_file)


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "users", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO, timeout=60)


def test_cli_adds_a_user_with_password_from_stdin(users_file):
    done = _cli("--file", str(users_file), "add", "brandis.gis", "--role", "gis", "--ags", "14729070",
                "--password-stdin", stdin="sehr-geheim-1\n")
    assert done.returncode == 0, done.stderr
    assert "Brandis" in done.stdout
    assert users.authenticate("brandis.gis", "sehr-geheim-1", path=users_file).ags == "14729070"


def test_cli_fails_with_a_german_message(users_file):
    done = _cli("--file", str(users_file), "add", "anna", "--role", "gis", "--password-stdin", stdin="lang-genug-1\n")
    assert done.returncode == 1
    assert "Fehler: Die Rolle gis braucht eine Gemeinde" in done.stderr
    assert not users_file.exists()


def test_the_committed_demo_accounts_work_as_documented():
    path = REPO / "data" / "users.json"
    for name, role, ags, _ in users.DEMO_USERS:
        user = users.authenticate(name, users.DEMO_PASSWORD, path=path)
        assert user is not None and (user.role, user.ags) == (role, ags)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert users.DEMO_PASSWORD in readme and all(name in readme for name, *_ in users.DEMO_USERS)
