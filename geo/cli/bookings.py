"""``book``, ``cancel``, ``confirm`` and ``altbestand``: ledger entries through :mod:`geo.accounting.booking`
and :mod:`geo.accounting.legacy`."""

from __future__ import annotations

import argparse
import sys
from typing import get_args

import pandas as pd

from geo import fmt
from geo.accounting import booking, legacy
from geo.accounting.ledger import BookingKind
from geo.cli import common
from geo.config import Settings
from geo.display.tables import columns, german_table

PREVIEW = columns(("line", "Zeile", "count"), ("date", "Datum", "date"), ("intervention_id", "Eingriff", "text"),
                  ("pool_id", "Fläche", "text"), ("points", "WP", "points"), ("kind", "Art", "text"),
                  ("allocation_id", "Buchung", "text"), ("reason", "Abgelehnt, weil", "text"))


def _written(rows: pd.DataFrame) -> str:
    return ", ".join(str(i) for i in rows["allocation_id"])


def book(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    rows = booking.book(common.store(args), user, pool_id=args.flaeche, intervention_id=args.eingriff,
                        points=args.punkte, kind=args.art, notes=args.notiz,
                        models=Settings.from_env().valuation_models)
    print(f"Gebucht als {_written(rows)}: {fmt.points(args.punkte)} von {args.flaeche} für {args.eingriff} "
          f"{args.art}.")
    return 0


def cancel(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    rows = booking.cancel(common.store(args), user, allocation_id=args.buchung, notes=args.notiz)
    print(f"Buchung {args.buchung} storniert (Gegenbuchung {_written(rows)}).")
    return 0


def confirm(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    rows = booking.confirm(common.store(args), user, allocation_id=args.buchung, notes=args.notiz)
    print(f"Reservierung {args.buchung} zugeordnet (Buchungen {_written(rows)}).")
    return 0


def import_register(args: argparse.Namespace) -> int:
    store = common.store(args)
    frame = legacy.read_table(args.datei.name, args.datei.data)
    mapping = legacy.guess(frame)
    preview = legacy.check(frame, mapping, store.read_all())
    common.print_table(german_table(preview.rows, PREVIEW))
    if not preview.ok:
        print(f"{fmt.count(len(preview.refused), 'Zeile', 'Zeilen')} abgelehnt; es wurde nichts importiert.",
              file=sys.stderr)
        return 1
    if args.pruefen:
        print(f"Alle {fmt.number(len(preview.rows))} Zeilen erfüllen die Buchungsregeln (nur geprüft).")
        return 0
    rows = legacy.import_ledger(store, common.sign_in(args.user), frame, mapping, source=args.datei.name)
    print(f"{fmt.count(len(rows), 'Buchung', 'Buchungen')} importiert: {_written(rows)}.")
    return 0


def _signed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, metavar="NAME", help=common.USER_HELP)
    parser.add_argument("--notiz", default="", help="Bemerkung zur Buchung")


def register(sub: common.Subparsers) -> None:
    book_cmd = sub.add_parser("book", help="Wertpunkte reservieren oder zuordnen",
                              description="Bucht Wertpunkte einer Poolfläche für einen Eingriff.")
    book_cmd.add_argument("--eingriff", required=True, metavar="ID", help="ID des Eingriffs, z. B. BPL-WUR-07")
    book_cmd.add_argument("--flaeche", required=True, metavar="ID", help="ID der Poolfläche, z. B. WUR-2021-003")
    book_cmd.add_argument("--punkte", required=True, type=common.points, metavar="N",
                          help="ganze Wertpunkte, z. B. 12.500 oder 12500")
    book_cmd.add_argument("--art", required=True, choices=get_args(BookingKind), help="Buchungsart")
    _signed(book_cmd)
    book_cmd.set_defaults(run=book)
    for name, run, what in (("cancel", cancel, "eine Buchung stornieren (Gegenbuchung)"),
                            ("confirm", confirm, "eine Reservierung zuordnen")):
        cmd = sub.add_parser(name, help=what, description=what[0].upper() + what[1:] + ".")
        cmd.add_argument("--buchung", required=True, metavar="ID", help="ID der Buchung")
        _signed(cmd)
        cmd.set_defaults(run=run)
    cmd = sub.add_parser("altbestand", help="Buchungen eines bisherigen Registers importieren (Administration)",
                         description="Importiert Buchungen aus einer Excel- oder CSV-Tabelle (Eingriff, Fläche, "
                         "Wertpunkte, Art, Datum, wer) mit ihrem ursprünglichen Datum: jede Zeile wird nach Datum "
                         "geprüft; nur wenn keine abgelehnt wird, wird alles in einer Änderung gebucht.")
    cmd.add_argument("datei", type=common.upload_file, metavar="DATEI", help="Tabelle (.xlsx oder .csv)")
    cmd.add_argument("--pruefen", action="store_true", help="nur prüfen und die Vorschau zeigen")
    cmd.add_argument("--user", required=True, metavar="NAME", help=common.USER_HELP)
    cmd.set_defaults(run=import_register)
