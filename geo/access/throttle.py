"""Throttling sign-in failures per user name and per client address.

After :data:`LIMIT` failures in a row for a key, every attempt is refused for a wait
that starts at :data:`FIRST_WAIT_S` and doubles with each further failure (at most
:data:`MAX_WAIT_S`); a success clears the attempt's keys. Refused attempts check no
password, whether the name exists or not. The counts are kept in a small file in the
data folder (:data:`THROTTLE_FILE`), so they hold across sessions, tabs, worker
processes and restarts; keys are stored as SHA-256 digests, never as typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from geo import fmt
from geo.access import users
from geo.access.permissions import User
from geo.errors import SignInRefused

LIMIT = 5
FIRST_WAIT_S = 60.0
MAX_WAIT_S = 3600.0
FORGET_AFTER_S = 24 * 3600.0
"""Failures older than this (and not locked) are forgotten."""
THROTTLE_FILE = "anmeldeversuche.json"
WRONG = "Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmt nicht."


def keys(username: str, client: str | None) -> tuple[str, ...]:
    """The throttled keys of an attempt: the user name as typed (normalised) and the client address."""
    found = [f"benutzer:{username.strip().lower()}"]
    if client:
        found.append(f"adresse:{client}")
    return tuple(hashlib.sha256(k.encode("utf-8")).hexdigest() for k in found)


def wait_s(failures: int) -> float:
    """Seconds to wait after *failures* failures in a row (0 below :data:`LIMIT`)."""
    if failures < LIMIT:
        return 0.0
    return float(min(FIRST_WAIT_S * 2 ** (failures - LIMIT), MAX_WAIT_S))


def locked_message(until: float) -> str:
    """``"Zu viele Fehlversuche. Bitte ab 10:42 Uhr erneut versuchen."`` (Berlin time)."""
    at = dt.datetime.fromtimestamp(until, fmt.TIMEZONE)
    when = at.strftime("%H:%M") if at.date() == fmt.now().date() else at.strftime("%d.%m.%Y, %H:%M")
    return f"Zu viele Fehlversuche. Bitte ab {when} Uhr erneut versuchen."


@dataclass(frozen=True)
class Throttle:
    """The failure counts in *folder*; *clock* gives seconds since the epoch (injectable for tests)."""

    folder: Path
    clock: Callable[[], float] = time.time

    @property
    def _path(self) -> Path:
        return self.folder / THROTTLE_FILE

    def _load(self) -> dict[str, dict[str, float]]:
        try:
            entries: dict[str, dict[str, float]] = json.loads(self._path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return entries

    def _save(self, entries: dict[str, dict[str, float]]) -> None:
        now = self.clock()
        kept = {k: v for k, v in entries.items() if v["until"] > now or now - v["last"] < FORGET_AFTER_S}
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(tmp, self._path)

    def locked_until(self, attempt: Iterable[str]) -> float | None:
        """When the latest lock among *attempt*'s keys ends, or None if none is locked now."""
        entries, now = self._load(), self.clock()
        until = max((entries[k]["until"] for k in attempt if k in entries), default=0.0)
        return until if until > now else None

    def failed(self, attempt: Iterable[str]) -> None:
        now = self.clock()
        with FileLock(str(self._path) + ".lock", timeout=10):
            entries = self._load()
            for key in attempt:
                count = int(entries.get(key, {}).get("failures", 0)) + 1
                entries[key] = {"failures": count, "until": now + wait_s(count), "last": now}
            self._save(entries)

    def succeeded(self, attempt: Iterable[str]) -> None:
        attempt = [k for k in attempt if k in self._load()]
        if not attempt:  # the usual case: nothing to forget, nothing written
            return
        with FileLock(str(self._path) + ".lock", timeout=10):
            entries = self._load()
            for key in attempt:
                entries.pop(key, None)
            self._save(entries)


def sign_in(username: str, password: str, *, client: str | None, throttle: Throttle, users_file: Path) -> User:
    """The user if name and password match and no lock holds; else :class:`SignInRefused` (German).

    A locked attempt checks no password; a wrong name costs as much as a wrong password.
    """
    attempt = keys(username, client)
    until = throttle.locked_until(attempt)
    if until is not None:
        raise SignInRefused(locked_message(until))
    user = users.authenticate(username, password, path=users_file)
    if user is None:
        throttle.failed(attempt)
        until = throttle.locked_until(attempt)
        raise SignInRefused(WRONG if until is None else f"{WRONG} {locked_message(until)}")
    throttle.succeeded(attempt)
    return user
