"""``preis``, ``preise``, ``verrechnung``, ``bestaetigung``, ``kontoauszug``: shared money and the documents
for the approval file."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from geo import fmt, schema
from geo.accounting import documents, prices, settlement, valuation
from geo.cli import common
from geo.errors import DataError
from geo.reports import documents as files


def euro(text: str) -> float:
    """A price in € per value point, German or English decimals (``0,75``, ``0.75``)."""
    value = fmt.parse_number(text)
    if value is None or value < 0:
        raise argparse.ArgumentTypeError(f"„{text}“ ist kein Preis; erwartet wird z. B. 0,75")
    return value


def day(text: str) -> dt.date:
    """A day as ``TT.MM.JJJJ`` or ``JJJJ-MM-TT``."""
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum; erwartet wird TT.MM.JJJJ, z. B. 01.01.2026")


def _write(path: Path, body: bytes, what: str) -> int:
    try:
        path.write_bytes(body)
    except OSError as exc:
        raise DataError(f"„{path}“ lässt sich nicht schreiben ({common.why(exc)}).") from exc
    print(f"Geschrieben: {path} ({what}).")
    return 0


def set_price(args: argparse.Namespace) -> int:
    user = common.sign_in(args.user)
    row = prices.set_price(common.store(args), user, ags=args.gemeinde, pool_id=args.flaeche,
                           eur_per_point=args.preis, valid_from=args.ab, valid_to=args.bis, notes=args.notiz)
    target = args.flaeche or schema.AGS_NAMES[args.gemeinde]
    print(f"Preis {row['price_id'].iloc[0]} für {target}: {fmt.euro(args.preis)} je WP ab {fmt.date(args.ab)}"
          + (f" bis {fmt.date(args.bis)}." if args.bis else "."))
    return 0


def list_prices(args: argparse.Namespace) -> int:
    common.print_table(prices.table(common.store(args).read_all().prices))
    return 0


def statement(args: argparse.Namespace) -> int:
    result = settlement.statement(common.store(args).read_all(), args.gemeinde, args.jahr)
    for sentence in result.sentences() or [f"Keine Zuordnungen über Gemeindegrenzen {args.jahr}."]:
        print(sentence)
    if args.ausgabe is None:
        return 0
    body = (files.settlement_xlsx(result) if args.ausgabe.suffix.lower() == ".xlsx"
            else files.settlement_pdf(result))
    return _write(args.ausgabe, body, files.settlement_title(result))


def certificate(args: argparse.Namespace) -> int:
    store = common.store(args)
    cert = documents.certificate(store.read_all(), args.buchung, valuation.read_tables(store))
    print(f"Prüfcode: {cert.code}")
    return _write(args.ausgabe, files.certificate_pdf(cert), f"Buchungsbestätigung {cert.allocation_id}")


def account(args: argparse.Namespace) -> int:
    acc = documents.account(common.store(args).read_all(), args.flaeche)
    return _write(args.ausgabe, files.account_pdf(acc), f"Flächenkontoauszug {acc.pool_id}")


def register(sub: common.Subparsers) -> None:
    cmd = sub.add_parser("preis", help="einen Preis je Wertpunkt festlegen (Administration)",
                         description="Legt einen Preis je Wertpunkt (€/WP) für eine Gemeinde oder eine Poolfläche "
                         "fest; ein neuer Preis gilt ab seinem Tag, ältere bleiben für frühere Buchungen gespeichert.")
    cmd.add_argument("--gemeinde", required=True, type=common.municipality, metavar="SLUG", help="z. B. wurzen")
    cmd.add_argument("--flaeche", metavar="ID", help="nur für diese Poolfläche (Standard: alle der Gemeinde)")
    cmd.add_argument("--preis", required=True, type=euro, metavar="EURO", help="Euro je Wertpunkt, z. B. 0,75")
    cmd.add_argument("--ab", required=True, type=day, metavar="DATUM", help="gültig ab, z. B. 01.01.2026")
    cmd.add_argument("--bis", type=day, metavar="DATUM", help="gültig bis (Standard: offen)")
    cmd.add_argument("--notiz", default="", help="Bemerkung, z. B. der Ratsbeschluss")
    cmd.add_argument("--user", required=True, metavar="NAME", help=common.USER_HELP)
    cmd.set_defaults(run=set_price)
    cmd = sub.add_parser("preise", help="die Preise je Wertpunkt zeigen",
                         description="Zeigt alle Preise, neueste zuerst.")
    cmd.set_defaults(run=list_prices)
    cmd = sub.add_parser("verrechnung", help="Verrechnung einer Gemeinde für ein Jahr",
                         description="Wer schuldet wem wie viel für Zuordnungen über Gemeindegrenzen; mit --ausgabe "
                         "als PDF oder Excel (.xlsx), Buchung für Buchung.")
    cmd.add_argument("--gemeinde", required=True, type=common.municipality, metavar="SLUG", help="z. B. wurzen")
    cmd.add_argument("--jahr", required=True, type=common.count, metavar="JAHR", help="z. B. 2026")
    cmd.add_argument("--ausgabe", type=Path, metavar="DATEI", help="Zieldatei (.pdf oder .xlsx)")
    cmd.set_defaults(run=statement)
    document_commands = (("bestaetigung", certificate, "Buchungsbestätigung (PDF) einer Zuordnung",
                          "Schreibt die Buchungsbestätigung einer Zuordnung mit Prüfcode als PDF.",
                          "--buchung", "ID der Buchung, z. B. B-2026-00127"),
                         ("kontoauszug", account, "Flächenkontoauszug (PDF) einer Poolfläche",
                          "Schreibt Wert, jede Buchung und jedes Storno einer Poolfläche mit laufendem Saldo als PDF.",
                          "--flaeche", "ID der Poolfläche"))
    for name, run, summary, description, option, option_help in document_commands:
        cmd = sub.add_parser(name, help=summary, description=description)
        cmd.add_argument(option, required=True, metavar="ID", help=option_help)
        cmd.add_argument("--ausgabe", required=True, type=Path, metavar="DATEI", help="Zieldatei (.pdf)")
        cmd.set_defaults(run=run)
