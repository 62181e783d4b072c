"""What the commands share: the store, signing in, argument types and printing tables."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from geo import fmt, schema
from geo.access import users
from geo.access.permissions import User
from geo.config import Settings
from geo.display import handbook
from geo.display.interventions import booking_points
from geo.errors import FlaechenpoolError, PermissionDenied
from geo.monitoring import delegation
from geo.store import Store, open_location, open_store
from geo.upload import ingest

PASSWORD_ENV = "FLAECHENPOOL_PASSWORD"
USER_HELP = f"Benutzername; Passwort aus {PASSWORD_ENV} oder der ersten Zeile von stdin"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
Command = Callable[[argparse.Namespace], int]
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # argparse names it privately


def why(exc: OSError) -> str:
    """An operating-system error in German words."""
    if isinstance(exc, FileNotFoundError):
        return "gibt es nicht"
    if isinstance(exc, IsADirectoryError):
        return "ist ein Ordner"
    if isinstance(exc, PermissionError):
        return "keine Berechtigung"
    return f"Fehler {exc.errno}"


def store(args: argparse.Namespace) -> Store:
    """The store ``--daten`` names, else the configured one."""
    return open_location(args.daten) if args.daten else open_store()


def data_dir(args: argparse.Namespace) -> Path:
    """The data folder that goes with the store: ``--daten`` if it names a folder, else the configured one
    (a PostGIS store keeps the partners' files, e.g. the process handbook, there too)."""
    if args.daten and not args.daten.startswith(POSTGRES_SCHEMES):
        return Path(args.daten)
    return Settings.from_env().data_dir


def inspection_partners(args: argparse.Namespace) -> delegation.Delegation:
    """Who inspects for whom, from the process handbook of :func:`data_dir`."""
    return delegation.parse(handbook.read_text(data_dir(args)))


def _password() -> str:
    """From ``FLAECHENPOOL_PASSWORD``, else one line of stdin (asked for without echo at a terminal)."""
    if (given := os.environ.get(PASSWORD_ENV)) is not None:
        return given
    if sys.stdin.isatty():
        return getpass.getpass("Passwort: ")
    return sys.stdin.readline().rstrip("\r\n")


def sign_in(username: str) -> User:
    """The user *username* after checking the password against the users file, as the sign-in does."""
    user = users.authenticate(username, _password(), path=Settings.from_env().users_file)
    if user is None:
        raise PermissionDenied("Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmt nicht.")
    return user


# --- argument types: a bad value is a German usage error (exit 2) -----------------------

def municipality(text: str) -> str:
    """A municipality by slug or AGS → its AGS."""
    try:
        return schema.municipality(text.strip().lower()).ags
    except KeyError:
        slugs = ", ".join(m.slug for m in schema.MUNICIPALITIES)
        raise argparse.ArgumentTypeError(f"unbekannte Gemeinde „{text}“; möglich: {slugs}") from None


def points(text: str) -> float:
    """Whole value points as the booking form takes them (``12500``, ``12.500``)."""
    try:
        return booking_points(text)
    except FlaechenpoolError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def count(text: str) -> int:
    """A whole number ≥ 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl ab 1")
    return int(text)


def upload_file(text: str) -> ingest.UploadedFile:
    """A file to check or publish, read as bytes (the upload page gets the same)."""
    path = Path(text)
    try:
        return ingest.UploadedFile(path.name, path.read_bytes())
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"„{text}“ lässt sich nicht lesen ({why(exc)})") from None


def default_value(text: str) -> tuple[str, str]:
    """``feld=wert`` → (field, value): one value for all features of a field the file has no column for."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"„{text}“: erwartet wird FELD=WERT, z. B. biotope_after=WLB")
    return name.strip(), value.strip()


def mapping_file(text: str) -> dict[str, Any]:
    """A column mapping as JSON: ``{"columns": {"pool_id": "FLAECHE_ID", …}, "values": {…}}``."""
    expected = 'erwartet wird {"columns": {"pool_id": "FLAECHE_ID", …}, "values": {"status": {"verfuegbar": …}}}'
    try:
        raw = json.loads(Path(text).read_text(encoding="utf-8"))
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"„{text}“ lässt sich nicht lesen ({why(exc)})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein gültiges JSON ({exc}); {expected}") from None
    values = raw.get("values", {}) if isinstance(raw, dict) else None
    if not (isinstance(raw, dict) and isinstance(raw.get("columns"), dict) and isinstance(values, dict)
            and all(isinstance(v, dict) for v in values.values())):
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Spaltenzuordnung; {expected}")
    return raw


# --- output ------------------------------------------------------------------------------

def print_table(frame: pd.DataFrame) -> None:
    """A German display table as aligned text; the last column (usually the message) runs free."""
    rows = [[str(c) for c in frame.columns], *([fmt.text(v) for v in row] for row in frame.itertuples(index=False))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(frame.columns) - 1)]
    for n, row in enumerate(rows):
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]).rstrip())
        if n == 0:
            print("  ".join(["-" * width for width in widths] + ["-" * len(row[-1])]))
