"""The sign-in: tokens that last and end everywhere, throttling with a German time, equal costs."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

import pytest

from geo import fmt
from geo.access import sessions, throttle, users
from geo.config import Settings
from geo.errors import SignInRefused

PASSWORD = "richtiges-passwort"


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.json"
    users.add("wurzen.gis", PASSWORD, role="gis", ags="14729410", path=path, rounds=4)
    return path


def test_a_token_lasts_until_expiry_or_sign_out_everywhere(tmp_path, users_file):
    clock = Clock(1_800_000_000.0)
    store = sessions.Sessions("geheim", tmp_path, users_file, clock=clock)
    user = users.find("wurzen.gis", path=users_file)
    first, second = store.issue(user), store.issue(user)  # two tabs, or a copied cookie
    clock.now += 3600
    assert store.read(first) == store.read(second) == user
    assert store.read(first[:-2] + "xx") is None  # tampered
    assert sessions.Sessions("anderes-geheimnis", tmp_path, users_file, clock=clock).read(first) is None
    store.end("wurzen.gis")  # sign-out in one tab
    assert store.read(first) is None and store.read(second) is None
    clock.now += 1
    fresh = store.issue(user)
    assert store.read(fresh) == user  # signing in again works
    clock.now += sessions.MAX_AGE_S + 1
    assert store.read(fresh) is None  # expired


def test_the_secret_is_generated_once_readable_by_the_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(sessions.SECRET_ENV, raising=False)
    settings = Settings(data_dir=tmp_path, offline=True, public_read=True, users_file=tmp_path / "u.json")
    first = sessions.secret(settings)
    assert first == sessions.secret(settings) and len(first) >= 40
    assert (tmp_path / sessions.SECRET_FILE).stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(sessions.SECRET_ENV, "aus-der-umgebung")
    assert sessions.secret(settings) == "aus-der-umgebung"


def test_after_five_failures_even_the_right_password_waits_until_the_named_time(tmp_path, users_file):
    start = dt.datetime(2026, 11, 29, 10, 41, 0, tzinfo=fmt.TIMEZONE).timestamp()
    clock = Clock(start)
    gate = throttle.Throttle(tmp_path, clock=clock)

    def attempt(password: str, client: str = "10.0.0.7"):
        return throttle.sign_in("wurzen.gis", password, client=client, throttle=gate, users_file=users_file)

    for _ in range(throttle.LIMIT - 1):
        with pytest.raises(SignInRefused, match=r"^Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmt "
                                                r"nicht\.$"):
            attempt("falsch")
    clock.now += 20
    with pytest.raises(SignInRefused, match=r"Zu viele Fehlversuche\. Bitte ab 10:42 Uhr erneut versuchen\."):
        attempt("falsch")  # the fifth failure locks for a minute, from 10:41:20
    with pytest.raises(SignInRefused, match=r"^Zu viele Fehlversuche\. Bitte ab 10:42 Uhr erneut versuchen\.$"):
        attempt(PASSWORD)
    with pytest.raises(SignInRefused, match="Zu viele Fehlversuche"):
        attempt(PASSWORD, client="10.0.0.8")  # another address does not help: the user is locked
    clock.now += 61
    assert attempt(PASSWORD).username == "wurzen.gis"
    assert not (tmp_path / throttle.THROTTLE_FILE).read_text().count("wurzen")  # keys are digests


def test_the_wait_grows_and_the_client_is_throttled_across_names(tmp_path, users_file):
    assert [throttle.wait_s(n) for n in (4, 5, 6, 7)] == [0, 60, 120, 240]
    assert throttle.wait_s(30) == throttle.MAX_WAIT_S
    gate = throttle.Throttle(tmp_path, clock=Clock(1_800_000_000.0))
    for i in range(throttle.LIMIT):
        with pytest.raises(SignInRefused):
            throttle.sign_in(f"rate{i}", "x", client="10.0.0.9", throttle=gate, users_file=users_file)
    with pytest.raises(SignInRefused, match="Zu viele Fehlversuche"):
        throttle.sign_in("wurzen.gis", PASSWORD, client="10.0.0.9", throttle=gate, users_file=users_file)


def _cost(name: str, path: Path) -> tuple[float, float]:
    """(CPU seconds of this thread, wall seconds) of one refused check."""
    cpu, wall = time.thread_time(), time.perf_counter()
    assert users.authenticate(name, "falsches-passwort", path=path) is None
    return time.thread_time() - cpu, time.perf_counter() - wall


def test_an_unknown_user_costs_as_much_as_a_wrong_password(tmp_path):
    path = tmp_path / "users.json"
    users.add("wurzen.gis", PASSWORD, role="gis", ags="14729410", path=path)  # real cost 12
    users.authenticate("niemand", "x", path=path)  # the dummy hash is made once, before measuring
    # Interleaved, median of 3 each. The machine is shared, so wall time swings with the neighbours' load;
    # the work done (CPU time of the checking thread) is what must not differ. Both are printed.
    pairs = [(_cost("wurzen.gis", path), _cost("niemand", path)) for _ in range(3)]
    (wrong_cpu, wrong_wall), (unknown_cpu, unknown_wall) = (
        tuple(statistics.median(c[i] for c in costs) for i in (0, 1)) for costs in zip(*pairs, strict=True))
    ratio = unknown_cpu / wrong_cpu
    print(f"Kosten (CPU/Wand): falsches Passwort {wrong_cpu * 1000:.0f}/{wrong_wall * 1000:.0f} ms, unbekannter "
          f"Name {unknown_cpu * 1000:.0f}/{unknown_wall * 1000:.0f} ms, Verhältnis {ratio:.2f} (Wand "
          f"{unknown_wall / wrong_wall:.2f})")
    assert 0.8 <= ratio <= 1.2
