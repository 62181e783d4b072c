"""A sign-in that lasts: signed, expiring session tokens for the cookie, ended everywhere on sign-out.

The token carries the user name and the moment of sign-in, signed with the deployment's
secret (``itsdangerous``): a changed token is worthless. It is valid for
:data:`MAX_AGE_S` after sign-in and only while the user has not signed out since: a
sign-out records the moment in a small file in the data folder (:data:`SIGNOUT_FILE`),
which every read checks, so a sign-out in one tab ends the sign-in in every tab and
makes a copied cookie useless. Role and municipality are read from the users file on
every read, so a removed user is signed out at once.

The secret comes from ``FLAECHENPOOL_SECRET`` or, without it, from the file
:data:`SECRET_FILE` in the data folder, generated once (mode 0600).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from itsdangerous import BadSignature, URLSafeSerializer

from geo.access import users
from geo.access.permissions import User
from geo.config import Settings

COOKIE = "flaechenpool_anmeldung"
MAX_AGE_S = 8 * 3600
"""A sign-in lasts a working day."""
SECRET_ENV = "FLAECHENPOOL_SECRET"
SECRET_FILE = ".sitzungsschluessel"
SIGNOUT_FILE = "abmeldungen.json"
VISIT_FILE = "besuche.json"
_SALT = "flaechenpool-anmeldung"


def secret(settings: Settings) -> str:
    """``FLAECHENPOOL_SECRET``, else the data folder's secret file (created once, readable by the owner only)."""
    configured = os.environ.get(SECRET_ENV, "").strip()
    if configured:
        return configured
    path = settings.data_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


@dataclass(frozen=True)
class Sessions:
    """Issue, read and end sign-ins. *clock* gives seconds since the epoch (injectable for tests)."""

    secret: str
    folder: Path
    users_file: Path
    max_age_s: float = MAX_AGE_S
    clock: Callable[[], float] = time.time

    @classmethod
    def from_settings(cls, settings: Settings) -> Sessions:
        return cls(secret(settings), settings.data_dir, settings.users_file)

    @property
    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt=_SALT)

    @property
    def _stamps(self) -> Path:
        return self.folder / SIGNOUT_FILE

    def issue(self, user: User) -> str:
        """A token for *user*, signed in now."""
        return str(self._serializer.dumps({"u": user.username, "t": self.clock()}))

    def read(self, token: str | None) -> User | None:
        """The user of a valid token: signature, age, no sign-out since, and still in the users file."""
        if not token:
            return None
        try:
            payload = self._serializer.loads(token)
            name, issued = str(payload["u"]), float(payload["t"])
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        if not 0 <= self.clock() - issued <= self.max_age_s or issued <= self._signed_out().get(name, 0.0):
            return None
        return users.find(name, path=self.users_file)

    def end(self, username: str) -> None:
        """Sign *username* out everywhere: every token issued until now stops working."""
        _stamp(self._stamps, username, self.clock())

    def _signed_out(self) -> dict[str, float]:
        return _read_stamps(self._stamps)


def visit(folder: Path, username: str, now: float | None = None) -> float | None:
    """Note that *username* visits the start page *now* (default: the clock); the previous visit, if any.

    Seconds since the epoch, kept per user name in :data:`VISIT_FILE` in the data *folder* for
    "Was ist neu seit meinem letzten Besuch" (the time only).
    """
    return _stamp(folder / VISIT_FILE, username, time.time() if now is None else now)


def _stamp(path: Path, username: str, now: float) -> float | None:
    """Set *username*'s moment in the stamp file *path* to *now* (atomically, locked); returns the one before."""
    with FileLock(str(path) + ".lock", timeout=10):
        stamps = _read_stamps(path)
        previous = stamps.get(username)
        stamps[username] = now
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stamps), encoding="utf-8")
        os.replace(tmp, path)
    return previous


def _read_stamps(path: Path) -> dict[str, float]:
    try:
        stamps: dict[str, float] = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return stamps
