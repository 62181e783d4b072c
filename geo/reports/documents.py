"""The partners' documents as files: settlement statements (PDF, Excel), booking certificates and
pool-area account statements (PDF). The figures come from :mod:`geo.accounting.settlement` and
:mod:`geo.accounting.documents`; this module only lays them out.

These documents go to partners and into approval files: they name areas, interventions and
users, never the owners of areas.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import fmt, schema
from geo.accounting.documents import Account, Certificate
from geo.accounting.settlement import Statement
from geo.display.tables import columns, german_table, text_rows
from geo.reports import content, downloads
from geo.reports.pdf import INK, Document

ENTRY_TABLE = columns(
    ("allocation_id", "Buchung", "text"), ("date", "Datum", "date"), ("direction", "Richtung", "text"),
    ("partner", "Partner", "text"), ("intervention_id", "Eingriff", "text"), ("pool_id", "Poolfläche", "text"),
    ("points", "Wertpunkte", "points"), ("price_eur", "Preis (€/WP)", "euro"), ("signed_eur", "Betrag", "euro"))
"""A settlement's entries; ``Betrag`` is positive where the partner of the statement receives money."""
BALANCE_TABLE = columns(
    ("partner", "Partner", "text"), ("receivable_eur", "Forderung", "euro"), ("payable_eur", "Verbindlichkeit", "euro"),
    ("net_eur", "Saldo", "euro"), ("unpriced", "ohne Preis", "count"))
ACCOUNT_TABLE = columns(
    ("allocation_id", "Buchung", "text"), ("date", "Datum", "date"), ("kind", "Art", "text"),
    ("intervention_id", "Eingriff", "text"), ("reverses", "Storno von", "text"), ("points", "Wertpunkte", "points"),
    ("balance", "Saldo (WP)", "points"), ("booked_by", "Gebucht von", "text"))
PARTNER_NOTE = ("Unterlage für die Partner des Flächenpools; enthält Buchungen und Benutzernamen, keine Namen "
                "von Eigentümern.")
PRICE_NOTE = ("Verrechnet werden Zuordnungen über Gemeindegrenzen zum Preis, der am Buchungstag galt; ein Storno "
              "zählt mit dem Preis der stornierten Buchung negativ. Reservierungen werden erst mit ihrer Zuordnung "
              "verrechnet.")


def _document(title: str, label: str, on: dt.date) -> Document:
    doc = Document(f"{content.TITLE} · {label} · {content.stand(on)}", title=title, subject=PARTNER_NOTE)
    doc.add_page()
    doc.heading(title, size=18)
    doc.paragraph(f"{content.TITLE} · {content.stand(on)}", size=10)
    return doc


def settlement_title(statement: Statement) -> str:
    return f"Verrechnung {statement.year}: {statement.name}"


def settlement_pdf(statement: Statement, *, on: dt.date | None = None) -> bytes:
    """A partner's settlement for a year: who owes whom, then booking by booking."""
    on = on or fmt.today()
    doc = _document(settlement_title(statement), f"Verrechnung {statement.year} {statement.name}", on)
    doc.heading("Wer schuldet wem", size=13)
    for sentence in statement.sentences() or [f"{statement.name} hat {statement.year} keine Zuordnungen über "
                                              "Gemeindegrenzen."]:
        doc.paragraph(sentence, size=11, color=INK)
    if len(statement.balances):
        doc.table_block(BALANCE_TABLE, text_rows(statement.balances, BALANCE_TABLE))
    doc.heading("Buchung für Buchung", size=13)
    doc.table_block(ENTRY_TABLE, text_rows(statement.entries, ENTRY_TABLE), size=7)
    doc.paragraph(f"{PRICE_NOTE} Betrag: positiv, was {statement.name} erhält; negativ, was es zahlt.", size=8)
    doc.paragraph(f"{PARTNER_NOTE} {schema.DEMO_NOTICE} Die Preise der Demodaten sind frei erfunden.", size=8)
    return bytes(doc.output())


def settlement_xlsx(statement: Statement, *, on: dt.date | None = None) -> bytes:
    """The same settlement as an Excel workbook (Hinweise, Salden, Buchungen)."""
    hints = [settlement_title(statement), f"{content.TITLE} · {content.stand(on or fmt.today())}",
             *statement.sentences(), PRICE_NOTE, PARTNER_NOTE, schema.DEMO_NOTICE]
    return downloads.workbook(hints, [("Salden", BALANCE_TABLE, statement.balances),
                                      ("Buchungen", ENTRY_TABLE, statement.entries)])


def certificate_pdf(cert: Certificate, *, on: dt.date | None = None) -> bytes:
    """The booking certificate (Buchungsbestätigung) of one allocation, with its verification code."""
    on = on or fmt.today()
    doc = _document(f"Buchungsbestätigung {cert.allocation_id}", f"Buchungsbestätigung {cert.allocation_id}", on)
    doc.paragraph(f"{schema.AGS_NAMES[cert.pool_ags]} bestätigt {schema.AGS_NAMES[cert.intervention_ags]} die "
                  f"Zuordnung von {fmt.points(cert.points)} aus dem gemeinsamen Flächenpool als Ausgleich für den "
                  f"Eingriff {cert.intervention_id}.", size=11, color=INK)
    doc.ln(2)
    for label, value in cert.lines():
        doc.set_font("DejaVu", "B", 10)
        doc.set_text_color(*INK)
        doc.multi_cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
        doc.paragraph(value, size=10, color=INK)
    doc.ln(3)
    doc.paragraph(f"Prüfen: python -m geo verify --code {cert.code} (oder die Administration fragen). Der Prüfcode "
                  "ist der Anfang des Prüfwerts dieser Buchung in der Hash-Kette des Journals; eine veränderte "
                  "Bestätigung passt zu keiner Buchung.", size=9)
    doc.paragraph(f"{PARTNER_NOTE} {schema.DEMO_NOTICE}", size=8)
    return bytes(doc.output())


def account_pdf(acc: Account, *, on: dt.date | None = None) -> bytes:
    """The account statement (Flächenkontoauszug) of one pool area."""
    on = on or fmt.today()
    doc = _document(f"Flächenkontoauszug {acc.pool_id}", f"Flächenkontoauszug {acc.pool_id}", on)
    doc.paragraph(f"{acc.pool_id} „{acc.name}“, {schema.AGS_NAMES[acc.ags]}", size=11, color=INK)
    bookings = fmt.count(len(acc.entries), "Buchung", "Buchungen")
    doc.paragraph(f"Wert der Fläche: {fmt.points(acc.value_points)}. Nach {bookings} ungebucht: "
                  f"{fmt.points(acc.balance)}.", size=11, color=INK)
    doc.table_block(ACCOUNT_TABLE, text_rows(acc.entries, ACCOUNT_TABLE), size=7)
    doc.paragraph("Saldo: Wertpunkte der Fläche abzüglich aller Buchungen bis zu dieser Zeile (Reservierungen und "
                  "Zuordnungen; Stornos geben Punkte zurück).", size=8)
    doc.paragraph(f"{PARTNER_NOTE} {schema.DEMO_NOTICE}", size=8)
    return bytes(doc.output())


def account_table(acc: Account) -> pd.DataFrame:
    """The account's entries for display (German headers and formats)."""
    return german_table(acc.entries, ACCOUNT_TABLE)
