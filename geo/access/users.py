"""The embedded users file: bcrypt-hashed passwords, roles and municipalities.

The file (``Settings.users_file``, JSON) maps user names to a role, an optional AGS,
a display name and a bcrypt hash. Writes are atomic (temp file + ``os.replace``) under
a file lock. Deployments with an OpenID Connect provider use ``st.login`` instead and
keep only role and AGS here (``password_hash`` empty, see README).

Managed with ``python -m geo users add|remove|list|demo`` (:mod:`geo.cli.accounts`).
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

import bcrypt
from filelock import FileLock

from geo import schema
from geo.access.permissions import ROLES, User
from geo.config import Settings
from geo.errors import DataError

ROUNDS = 12
MIN_PASSWORD = 10
DEMO_PASSWORD = "flaechenpool-demo"
DEMO_USERS: tuple[tuple[str, str, str | None, str], ...] = (
    ("admin", "admin", None, "Administration Flächenpool"),
    ("leipzig.gis", "gis", "14713000", "GIS Stadt Leipzig"),
    ("wurzen.gis", "gis", "14729410", "GIS Stadt Wurzen"),
    ("brandis.gis", "gis", "14729070", "GIS Stadt Brandis"),
    ("machern.gis", "gis", "14729250", "GIS Gemeinde Machern"),
    ("lossatal.gis", "gis", "14729245", "GIS Gemeinde Lossatal"),
    ("leser", "lesen", None, "Lesezugang"),
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


@functools.cache
def _dummy_hash() -> bytes:
    """Checked when a name is unknown, so that a wrong name costs as long as a wrong password: same cost
    as real hashes (made once, on the first unknown name)."""
    return bcrypt.hashpw(secrets.token_urlsafe(16).encode("ascii"), bcrypt.gensalt(ROUNDS))


def _hash(password: str, rounds: int = ROUNDS) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def _path(path: Path | None) -> Path:
    return Path(path) if path is not None else Settings.from_env().users_file


def load(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """All entries by user name (empty when the file does not exist)."""
    file = _path(path)
    if not file.exists():
        return {}
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"Die Benutzerdatei {file.name} ist beschädigt: {exc}.") from exc
    return {entry["username"]: entry for entry in raw.get("users", [])}


def _save(entries: dict[str, dict[str, Any]], file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"users": [entries[k] for k in sorted(entries)]}, ensure_ascii=False, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.stem}-", suffix=".json", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, file)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _user(entry: dict[str, Any]) -> User:
    return User(entry["username"], entry["role"], entry.get("ags"), entry.get("display_name", ""))


def authenticate(username: str, password: str, *, path: Path | None = None) -> User | None:
    """The user if name and password match, else None (same answer and cost for both mistakes)."""
    entry = load(path).get(username.strip().lower())
    stored = (entry or {}).get("password_hash", "")
    candidate = stored.encode("ascii") if stored else _dummy_hash()
    matches = bcrypt.checkpw(password.encode("utf-8"), candidate)
    return _user(entry) if entry and stored and matches else None


def listed(path: Path | None = None) -> list[tuple[User, bool]]:
    """Every user, and whether they can sign in with a password (else only through OpenID)."""
    return [(_user(entry), bool(entry.get("password_hash"))) for entry in load(path).values()]


def find(username: str, *, path: Path | None = None) -> User | None:
    """The user of that name without a password check (for a verified OpenID sign-in)."""
    entry = load(path).get(username.strip().lower())
    return _user(entry) if entry else None


def add(username: str, password: str | None, *, role: str, ags: str | None = None, display_name: str = "",
        path: Path | None = None, rounds: int = ROUNDS) -> User:
    """Add or replace a user. ``password=None`` creates an OpenID-only entry."""
    name = username.strip().lower()
    if not _NAME.match(name):
        raise DataError(f"Ungültiger Benutzername „{username}“: 2–64 Zeichen, Kleinbuchstaben, Ziffern, . _ @ -.")
    if role not in ROLES:
        raise DataError(f"Unbekannte Rolle „{role}“; erlaubt: {', '.join(ROLES)}.")
    if role == "gis" and ags not in schema.AGS_NAMES:
        raise DataError(f"Die Rolle gis braucht eine Gemeinde: --ags mit einem von {', '.join(schema.AGS_NAMES)}.")
    if role != "gis" and ags is not None and ags not in schema.AGS_NAMES:
        raise DataError(f"Unbekannter Gemeindeschlüssel „{ags}“.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise DataError(f"Das Passwort ist zu kurz: mindestens {MIN_PASSWORD} Zeichen.")
    entry = {"username": name, "role": role, "ags": ags if role == "gis" else None, "display_name": display_name,
             "password_hash": _hash(password, rounds) if password is not None else ""}
    file = _path(path)
    with FileLock(str(file) + ".lock", timeout=30):
        entries = load(file)
        entries[name] = entry
        _save(entries, file)
    return _user(entry)


def remove(username: str, *, path: Path | None = None) -> None:
    file = _path(path)
    name = username.strip().lower()
    with FileLock(str(file) + ".lock", timeout=30):
        entries = load(file)
        if name not in entries:
            raise DataError(f"Den Benutzer „{username}“ gibt es nicht.")
        del entries[name]
        _save(entries, file)


def create_demo_users(*, path: Path | None = None, rounds: int = ROUNDS) -> list[User]:
    """The demo accounts of the README, all with :data:`DEMO_PASSWORD`."""
    return [add(name, DEMO_PASSWORD, role=role, ags=ags, display_name=display, path=path, rounds=rounds)
            for name, role, ags, display in DEMO_USERS]
