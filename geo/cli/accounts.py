"""``users``: manage the embedded users file (add, remove, list, the demo accounts)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from geo.access import users
from geo.access.permissions import ROLES
from geo.cli import common
from geo.errors import DataError


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Passwort: ")
    if first != getpass.getpass("Passwort wiederholen: "):
        raise DataError("Die beiden Passwörter stimmen nicht überein.")
    return first


def add(args: argparse.Namespace) -> int:
    password = None if args.oidc_only else _password(args)
    user = users.add(args.username, password, role=args.role, ags=args.ags, display_name=args.name, path=args.file)
    print(f"Gespeichert: {user.label}")
    return 0


def remove(args: argparse.Namespace) -> int:
    users.remove(args.username, path=args.file)
    print(f"Gelöscht: {args.username}")
    return 0


def list_users(args: argparse.Namespace) -> int:
    for user, has_password in users.listed(args.file):
        print(user.label, "" if has_password else "– nur OpenID")
    return 0


def demo(args: argparse.Namespace) -> int:
    for user in users.create_demo_users(path=args.file):
        print(f"Gespeichert: {user.label}")
    return 0


def register(sub: common.Subparsers) -> None:
    parser = sub.add_parser("users", help="Benutzer der App verwalten", description="Benutzer der App verwalten.")
    parser.add_argument("--file", type=Path, metavar="DATEI",
                        help="Benutzerdatei (Standard: FLAECHENPOOL_USERS bzw. data/users.json)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="AKTION")
    add_cmd = actions.add_parser("add", help="Benutzer anlegen oder ersetzen")
    add_cmd.add_argument("username", metavar="BENUTZERNAME")
    add_cmd.add_argument("--role", required=True, choices=ROLES)
    add_cmd.add_argument("--ags", help="Gemeindeschlüssel (nur für die Rolle gis)")
    add_cmd.add_argument("--name", default="", help="Anzeigename")
    add_cmd.add_argument("--password-stdin", action="store_true", help="Passwort aus der ersten Zeile von stdin")
    add_cmd.add_argument("--oidc-only", action="store_true", help="ohne Passwort (Anmeldung nur über OpenID)")
    add_cmd.set_defaults(run=add)
    remove_cmd = actions.add_parser("remove", help="Benutzer löschen")
    remove_cmd.add_argument("username", metavar="BENUTZERNAME")
    remove_cmd.set_defaults(run=remove)
    actions.add_parser("list", help="Benutzer auflisten").set_defaults(run=list_users)
    actions.add_parser("demo", help=f"Demo-Konten anlegen (Passwort „{users.DEMO_PASSWORD}“)").set_defaults(run=demo)
