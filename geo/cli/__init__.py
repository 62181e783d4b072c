"""The command line, ``python -m geo <Befehl>``: the app's functions for scripts and administrators.

Each command parses its arguments, calls the same functions as the pages (which check
permissions and rules themselves) and prints their German results. A refusal
(:class:`geo.errors.FlaechenpoolError`) prints its message to stderr and exits 1; bad
arguments exit 2 with argparse's message in German (:mod:`geo.cli.german`); anything
else is a bug and surfaces with its traceback.
"""

from __future__ import annotations

import argparse
import sys

from geo import logs
from geo.cli import (
    accounts,
    backups,
    bookings,
    common,
    consent,
    german,
    inspections,
    layers,
    records,
    settlement,
    templates,
    valuations,
)
from geo.errors import FlaechenpoolError

PROG = "python -m geo"


def parser() -> argparse.ArgumentParser:
    """The whole command line (build it inside :func:`geo.cli.german.installed`)."""
    top = argparse.ArgumentParser(prog=PROG, description="Flächenpool Leipzig & Wurzener Land auf der Kommandozeile.",
                                  epilog=f"Hilfe zu einem Befehl: {PROG} BEFEHL --help")
    top.add_argument("--daten", metavar="ORDNER_ODER_URL",
                     help="Datenbestand: Ordner mit den GeoPackages oder postgresql://-URL "
                     "(Standard: FLAECHENPOOL_DATABASE_URL bzw. FLAECHENPOOL_DATA)")
    sub = top.add_subparsers(dest="command", required=True, metavar="BEFEHL", title="Befehle")
    for module in (layers, bookings, consent, settlement, records, inspections, backups, accounts, templates,
                   valuations):
        module.register(sub)
    return top


def _parse(argv: list[str] | None) -> argparse.Namespace:
    with german.installed():
        return parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parse(argv)
    logs.configure(default=None)  # only where FLAECHENPOOL_LOG says: the German output stays clean
    command: common.Command = args.run
    try:
        return command(args)
    except FlaechenpoolError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        if exc.details and getattr(args, "details", False):
            print(f"Technische Meldung: {exc.details}", file=sys.stderr)
        return 1
