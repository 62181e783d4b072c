"""``bewertung-pruefen``, ``bewertung-wechseln``, ``bewertung-stichtag``: valuation table versions
(:mod:`geo.accounting.versions`); ``naturraeume``: the natural-region layer (:mod:`geo.accounting.naturalregions`)."""

from __future__ import annotations

import argparse
import datetime as dt

from geo import fmt
from geo.accounting import naturalregions, summary, versions
from geo.cli import common
from geo.config import Settings
from geo.display import valuation as shown
from geo.display.tables import german_table
from geo.reports import content


def _text(args: argparse.Namespace) -> str:
    provenance = versions.Provenance(title=args.titel, source=args.quelle, version=args.version, date=args.stand)
    return versions.table_text(args.datei.data, args.modell, provenance)


def _preview(args: argparse.Namespace) -> str:
    """Check the table and print its impact; returns its text (raises with every problem)."""
    store, models = common.store(args), Settings.from_env().valuation_models
    text, data = _text(args), store.read_all()
    table = versions.check(text, args.modell, data, models)
    print(f"Tabelle {table.model}, Version {table.version}, Stand {fmt.date(table.date)} ({table.source}): geprüft.")
    common.print_table(shown.impact_table(versions.impact(data, args.modell, text, models)))
    return text


def check(args: argparse.Namespace) -> int:
    _preview(args)
    return 0


def switch(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    text = _preview(args)
    entry = versions.switch(common.store(args), user, args.modell, text,
                            models=Settings.from_env().valuation_models, source=args.datei.name)
    print(f"Gewechselt als {entry['change_id'].iloc[0]}: {entry['notes'].iloc[0]}")
    return 0


def as_of(args: argparse.Namespace) -> int:
    data = versions.data_on(common.store(args), args.datum)
    columns, rows = content.model_rows(summary.by_model(summary.pool_view(data, models=Settings.from_env()
                                                                          .valuation_models)))
    print(f"Bilanzen mit den Bewertungstabellen vom {fmt.date(args.datum)}:")
    common.print_table(german_table(rows, columns))
    return 0


def regions(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    entry = naturalregions.publish(common.store(args), user, naturalregions.read_upload([args.datei]),
                                   source=args.datei.name)
    print(f"Naturräume ersetzt ({entry['change_id'].iloc[0]}): {entry['notes'].iloc[0]}.")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum wie 2025-12-31") from None


def _table_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--modell", required=True, metavar="MODELL", help="z. B. sachsen oder leipzig")
    parser.add_argument("--datei", required=True, type=common.upload_file, metavar="DATEI",
                        help="CSV (mit Kopfzeilen „# source: …“) oder XLSX mit code, name, value_per_m2, "
                        "development_factor")
    for flag, what in (("--titel", "Titel"), ("--quelle", "Quelle"), ("--version", "Version"),
                       ("--stand", "Stand (JJJJ-MM-TT)")):
        parser.add_argument(flag, default="", help=f"{what} (ergänzt oder ersetzt die Angabe der Datei)")


def register(sub: common.Subparsers) -> None:
    check_cmd = sub.add_parser("bewertung-pruefen", help="neue Bewertungstabelle prüfen und Auswirkung zeigen",
                               description="Prüft eine neue Fassung einer Bewertungstabelle und zeigt, wie sich "
                               "Angebot, Bedarf und Bilanz jeder Gemeinde ändern würden. Ändert nichts.")
    _table_args(check_cmd)
    check_cmd.set_defaults(run=check)
    switch_cmd = sub.add_parser("bewertung-wechseln", help="neue Bewertungstabelle übernehmen (Administration)",
                                description="Prüft, zeigt die Auswirkung und übernimmt die neue Fassung; die "
                                "bisherige bleibt erhalten.")
    _table_args(switch_cmd)
    switch_cmd.add_argument("--user", required=True, metavar="NAME", help=common.USER_HELP)
    switch_cmd.set_defaults(run=switch)
    as_of_cmd = sub.add_parser("bewertung-stichtag", help="Bilanzen mit den Tabellen eines Stichtags",
                               description="Rechnet die Bilanzen je Gemeinde und Modell mit den Bewertungstabellen, "
                               "die am Stichtag galten.")
    as_of_cmd.add_argument("--datum", required=True, type=_date, metavar="JJJJ-MM-TT", help="Stichtag")
    as_of_cmd.set_defaults(run=as_of)
    regions_cmd = sub.add_parser("naturraeume", help="Naturraum-Ebene ersetzen (Administration)",
                                 description="Ersetzt die Naturräume (Flächen mit Spalte name, optional region_id "
                                 "und notes) für den Vorrang des Ersatzes im selben Naturraum (§ 15 Abs. 2 BNatSchG).")
    regions_cmd.add_argument("--datei", required=True, type=common.upload_file, metavar="DATEI",
                             help="GeoPackage, GeoJSON, Shapefile (ZIP) …")
    regions_cmd.add_argument("--user", required=True, metavar="NAME", help=common.USER_HELP)
    regions_cmd.set_defaults(run=regions)
