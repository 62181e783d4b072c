"""``anfrage``, ``zusage``, ``ablehnung``: requests across borders through :mod:`geo.accounting.consent`."""

from __future__ import annotations

import argparse
from typing import get_args

from geo import fmt, schema
from geo.access import contacts
from geo.accounting import consent, notify
from geo.accounting.ledger import BookingKind
from geo.cli import common
from geo.config import Settings
from geo.store import Change, Store


def _notify(store: Store, change: Change) -> None:
    settings = Settings.from_env()
    notify.deliver(store, change.outbox, settings.smtp, contacts.read(settings.contacts_file))
    recipient = schema.AGS_NAMES[str(change.outbox["recipient_ags"].iloc[0])]
    how = "per E-Mail und im Postausgang" if settings.smtp else "im Postausgang der App"
    print(f"Benachrichtigung an {recipient} {how}.")


def ask(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    store = common.store(args)
    change = consent.ask(store, user, intervention_id=args.eingriff, pool_id=args.flaeche, points=args.punkte,
                         kind=args.art, message=args.nachricht, days=Settings.from_env().request_days,
                         models=Settings.from_env().valuation_models)
    event = change.requests.iloc[0]
    print(f"Anfrage {event['request_id']} gestellt: {fmt.points(args.punkte)} aus {args.flaeche} für {args.eingriff} "
          f"({args.art}), offen bis {fmt.date(event['expires'])}.")
    _notify(store, change)
    return 0


def approve(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    store = common.store(args)
    change = consent.approve(store, user, request_id=args.anfrage, points=args.punkte, condition=args.auflage,
                             models=Settings.from_env().valuation_models)
    entry = change.ledger.iloc[0]
    print(f"Anfrage {args.anfrage} zugesagt: {fmt.points(entry['points'])} aus {entry['pool_id']} für "
          f"{entry['intervention_id']} {entry['kind']} (Buchung {entry['allocation_id']}).")
    _notify(store, change)
    return 0


def decline(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    store = common.store(args)
    change = consent.decline(store, user, request_id=args.anfrage, reason=args.grund)
    print(f"Anfrage {args.anfrage} abgelehnt.")
    _notify(store, change)
    return 0


def _signed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, metavar="NAME", help=common.USER_HELP)


def register(sub: common.Subparsers) -> None:
    cmd = sub.add_parser("anfrage", help="Wertpunkte einer anderen Gemeinde anfragen",
                         description="Fragt Wertpunkte einer Poolfläche einer anderen Gemeinde für einen Eingriff an.")
    cmd.add_argument("--eingriff", required=True, metavar="ID", help="ID des Eingriffs, z. B. STR-LEI-01")
    cmd.add_argument("--flaeche", required=True, metavar="ID", help="ID der Poolfläche, z. B. WUR-2018-001")
    cmd.add_argument("--punkte", required=True, type=common.points, metavar="N", help="ganze Wertpunkte, z. B. 50.000")
    cmd.add_argument("--art", choices=get_args(BookingKind), default="reserviert",
                     help="Buchungsart nach der Zusage (Standard: reserviert)")
    cmd.add_argument("--nachricht", default="", help="Nachricht an die Gemeinde der Fläche")
    _signed(cmd)
    cmd.set_defaults(run=ask)

    cmd = sub.add_parser("zusage", help="eine Anfrage zusagen (bucht sofort)",
                         description="Sagt eine offene Anfrage an die eigene Gemeinde zu; die Buchung entsteht sofort.")
    cmd.add_argument("--anfrage", required=True, metavar="ID", help="ID der Anfrage, z. B. A-2026-00001")
    cmd.add_argument("--punkte", type=common.points, metavar="N", help="weniger Wertpunkte zusagen als angefragt")
    cmd.add_argument("--auflage", default="", metavar="TEXT", help="Auflage der Zusage")
    _signed(cmd)
    cmd.set_defaults(run=approve)

    cmd = sub.add_parser("ablehnung", help="eine Anfrage ablehnen",
                         description="Lehnt eine offene Anfrage an die eigene Gemeinde mit Begründung ab.")
    cmd.add_argument("--anfrage", required=True, metavar="ID", help="ID der Anfrage")
    cmd.add_argument("--grund", required=True, metavar="TEXT", help="Grund der Ablehnung")
    _signed(cmd)
    cmd.set_defaults(run=decline)
