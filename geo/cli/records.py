"""``history``, ``verify``, ``export`` and ``migrate``: what changed, whether the ledger holds, the council
downloads, a copy of the whole store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from geo import fmt, schema
from geo.accounting import audit, documents, summary
from geo.cli import common
from geo.config import Settings
from geo.display import changes
from geo.errors import DataError
from geo.monitoring import cadastre, schedule, status
from geo.reports import content, exports
from geo.store import Monitoring, Store, open_location

FORMATS = ("xlsx", "gpkg", "geojson", "shp", "kokanat-gpkg", "kokanat-shp")
"""The overview's downloads and the KoKa-Nat export of the monitoring page."""


def history(args: argparse.Namespace) -> int:
    rows = changes.newest_first(common.store(args).read_history(), ags=args.gemeinde).head(args.anzahl)
    for _, row in rows.iterrows():
        print(f"{row['change_id']}  {changes.headline(row)}")
    return 0


def verify(args: argparse.Namespace) -> int:
    if args.code is not None:
        check = documents.check_code(common.store(args).read_all(), args.code)
        print(check.message, file=sys.stdout if check.ok else sys.stderr)
        return 0 if check.ok else 1
    report = audit.verify(common.store(args))
    print("\n".join(report.lines()))
    problems = common.inspection_partners(args).problems
    print(f"Prozesshandbuch, wer für wen kontrolliert: {'lesbar' if not problems else f'{len(problems)} Befund(e)'}")
    for problem in problems:
        print(f"      {problem}")
    return 0 if report.ok and not problems else 1


def migrate(args: argparse.Namespace) -> int:
    from geo.store import migrate as copying  # the PostGIS driver loads only when a copy is asked for

    print("\n".join(copying.migrate(open_location(args.von), open_location(args.nach))))
    return 0


def _scope(view: summary.PoolView, ags: list[str] | None) -> summary.Scope:
    """The overview page's scope: the chosen partners (in schema order) over every year with data."""
    chosen = tuple(m.ags for m in schema.MUNICIPALITIES if m.ags in (ags or ()))
    return summary.Scope(ags=chosen, years=summary.year_bounds(view))


def _monitored(store: Store) -> tuple[summary.PoolView, Monitoring, pd.DataFrame]:
    """The pool with its monitoring flags today, the monitoring records and each area's state (as the pages)."""
    view = summary.pool_view(store.read_all())
    stored = store.read_monitoring()
    intervals = schedule.read_intervals(schedule.intervals_file(Settings.from_env().data_dir))
    table = status.area_status(view.pool_areas, stored, intervals, fmt.today())
    return status.flag_view(view, table), stored, table


def export(args: argparse.Namespace) -> int:
    view, stored, table = _monitored(common.store(args))
    scope = _scope(view, args.gemeinde)
    if args.format.startswith("kokanat-"):
        chosen = summary.select(view, list(scope.ags))
        build = cadastre.geopackage if args.format == "kokanat-gpkg" else cadastre.shapefile
        body = build(chosen, stored, table[table["pool_id"].isin(chosen.pool_areas["pool_id"])], on=fmt.today())
    else:
        body = exports.build(args.format, summary.report(view, scope), on=fmt.today(), context=view)
    try:
        args.ausgabe.write_bytes(body)
    except OSError as exc:
        raise DataError(f"„{args.ausgabe}“ lässt sich nicht schreiben ({common.why(exc)}).") from exc
    print(f"Geschrieben: {args.ausgabe} ({content.scope_label(scope)}).")
    return 0


def register(sub: common.Subparsers) -> None:
    history_cmd = sub.add_parser("history", help="die Änderungen, neueste zuerst",
                                 description="Zeigt die Änderungen (Hochladen, Buchungen, …), neueste zuerst.")
    history_cmd.add_argument("--gemeinde", action="append", type=common.municipality, metavar="SLUG",
                             help="nur diese Gemeinde (mehrfach möglich)")
    history_cmd.add_argument("--anzahl", type=common.count, default=20, metavar="N",
                             help="höchstens N Änderungen (Standard: 20)")
    history_cmd.set_defaults(run=history)
    verify_cmd = sub.add_parser("verify", help="Prüfketten und Buchungsregeln prüfen",
                                description="Prüft Prüfketten und Regeln des Datenbestands. Exit 1 bei Befunden.")
    verify_cmd.add_argument("--code", metavar="PRÜFCODE",
                            help="nur den Prüfcode einer Buchungsbestätigung prüfen, z. B. 3F9A-C2D1-77E0-A1B2")
    verify_cmd.set_defaults(run=verify)
    export_cmd = sub.add_parser("export", help="Tabellen oder Geodaten der Übersicht schreiben",
                                description="Schreibt die Downloads der Seite „Übersicht & Berichte“ und den "
                                "KoKa-Nat-Export der Seite „Monitoring“.")
    export_cmd.add_argument("--format", required=True, choices=FORMATS,
                            help="Excel-Tabellen, GeoPackage, GeoJSON (ZIP, eine Datei je Ebene) oder Shapefile "
                            "(ZIP); kokanat-gpkg und kokanat-shp: Meldung an das Kompensationsflächenkataster "
                            "(Seite „Monitoring“)")
    export_cmd.add_argument("--gemeinde", action="append", type=common.municipality, metavar="SLUG",
                            help="nur diese Gemeinde (mehrfach möglich; Standard: alle Partner)")
    export_cmd.add_argument("--ausgabe", required=True, type=Path, metavar="DATEI", help="Zieldatei")
    export_cmd.set_defaults(run=export)
    migrate_cmd = sub.add_parser("migrate", help="Datenbestand in einen anderen kopieren (Ordner ↔ PostGIS)",
                                 description="Kopiert Ebenen, Buchungen, Änderungen, frühere Stände, Zuordnungen und "
                                 "Bewertungstabellen in einen leeren Datenbestand und prüft die Kopie.")
    migrate_cmd.add_argument("--von", required=True, metavar="ORDNER_ODER_URL", help="Quelle")
    migrate_cmd.add_argument("--nach", required=True, metavar="ORDNER_ODER_URL", help="Ziel (leer)")
    migrate_cmd.set_defaults(run=migrate)
