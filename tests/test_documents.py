"""Booking certificates and their verification codes, account statements, settlement files; from the CLI too."""

from __future__ import annotations

import io
import sqlite3

import openpyxl
import pandas as pd
import pytest

from geo import schema
from geo.access.permissions import User
from geo.accounting import booking, documents, prices, valuation
from geo.errors import BookingError
from geo.reports import documents as files
from geo.store.gpkg import GeoPackageStore
from tests.conftest import LEIPZIG, WURZEN
from tests.test_cli import PASSWORD, geo
from tests.test_settlement import _cross_border_pick, _tiny

ADMIN = User("admin", "admin", None)


def _allocate(store) -> str:
    """A priced cross-border allocation of 10.000 WP (Wurzen area, Leipzig intervention); returns its id."""
    prices.set_price(store, ADMIN, ags=WURZEN, eur_per_point=0.75, valid_from=pd.Timestamp("2026-01-01").date())
    intervention_id, pool_id = _cross_border_pick(store)
    rows = booking.book(store, ADMIN, pool_id=pool_id, intervention_id=intervention_id, points=10_000,
                        kind="zugeordnet")
    return str(rows["allocation_id"].iloc[0])


def test_the_certificate_names_both_parties_and_its_code_verifies_while_a_forged_one_fails(any_store):
    allocation_id = _allocate(any_store)
    data = any_store.read_all()
    cert = documents.certificate(data, allocation_id, valuation.read_tables(any_store))
    assert (cert.intervention_ags, cert.pool_ags, cert.points, cert.price_eur) == (LEIPZIG, WURZEN, 10_000, 0.75)
    assert cert.amount_eur == pytest.approx(7_500.0)
    text = dict(cert.lines())
    assert "Leipzig" in text["Eingriff (Ausgleichspflichtige Gemeinde)"]
    assert "Wurzen" in text["Poolfläche (Gemeinde der Fläche)"]
    assert text["Preis"] == "0,75\u00a0€ je WP, zusammen 7.500,00\u00a0€"
    assert text["Flurstücke"] == cert.parcels and cert.parcels
    assert files.certificate_pdf(cert).startswith(b"%PDF")

    genuine = documents.check_code(data, cert.code)
    assert genuine.ok and genuine.message.startswith(f"Echt: Buchung {allocation_id} vom ")
    assert documents.check_code(data, cert.code.lower().replace("-", "")).ok
    forged = cert.code[:-1] + ("0" if cert.code[-1] != "0" else "1")
    refused = documents.check_code(data, forged)
    assert not refused.ok and "gehört zu keiner Buchung" in refused.message
    assert not documents.check_code(data, "B-2026-00001").ok

    tampered = data.allocations.copy()
    tampered.loc[tampered.index[-1], "points"] = 20_000.0  # someone edits the row behind the app's back
    broken = documents.check_code(schema.PoolData(data.boundaries, data.pool_areas, data.interventions, tampered,
                                                  data.history), cert.code)
    assert not broken.ok and "Prüfkette des Journals ist ab Zeile" in broken.message

    booking.cancel(any_store, ADMIN, allocation_id=allocation_id)
    after = any_store.read_all()
    cancelled = documents.check_code(after, cert.code)
    assert not cancelled.ok and "storniert" in cancelled.message
    reversal = documents.check_code(after, documents.verification_code(str(after.allocations["hash"].iloc[-1])))
    assert not reversal.ok and "eine Stornobuchung: dafür gibt es keine Buchungsbestätigung" in reversal.message
    with pytest.raises(BookingError, match="ist storniert"):
        documents.certificate(any_store.read_all(), allocation_id, {})


def test_verify_code_on_the_command_line(demo_dir):
    done = geo("preis", "--gemeinde", "wurzen", "--preis", "0,75", "--ab", "01.01.2026", "--user", "admin",
               password=PASSWORD)
    assert done.returncode == 0, done.stderr
    booked = geo("book", "--eingriff", "STR-LEI-02", "--flaeche", "WUR-2018-001", "--punkte", "50.000", "--art",
                 "zugeordnet", "--user", "admin", password=PASSWORD)
    assert booked.returncode == 0, booked.stderr
    entry = GeoPackageStore(demo_dir).read_allocations().iloc[-1]  # the booking just made
    allocation_id, row = str(entry["allocation_id"]), len(GeoPackageStore(demo_dir).read_allocations())
    out = demo_dir / "bestaetigung.pdf"
    written = geo("bestaetigung", "--buchung", allocation_id, "--ausgabe", str(out))
    assert written.returncode == 0, written.stderr
    code = written.stdout.splitlines()[0].removeprefix("Prüfcode: ")
    assert out.read_bytes().startswith(b"%PDF")
    ok = geo("verify", "--code", code)
    assert ok.returncode == 0 and ok.stdout.startswith(f"Echt: Buchung {allocation_id} vom ")
    assert "50.000\u00a0WP von WUR-2018-001 für STR-LEI-02" in ok.stdout and "0,75\u00a0€ je WP" in ok.stdout
    forged = geo("verify", "--code", "0123-4567-89AB-CDEF")
    assert forged.returncode == 1 and "gehört zu keiner Buchung" in forged.stderr
    with sqlite3.connect(demo_dir / "pool.gpkg") as db:
        db.execute("UPDATE allocations SET points = 60000 WHERE allocation_id = ?", [allocation_id])
    db.close()
    tampered = geo("verify", "--code", code)
    assert tampered.returncode == 1 and f"Prüfkette des Journals ist ab Zeile {row} unterbrochen" in tampered.stderr


def test_settlement_files_from_the_command_line(demo_dir):
    assert geo("preis", "--gemeinde", "wurzen", "--preis", "0,50", "--ab", "01.01.2026", "--user", "admin",
               password=PASSWORD).returncode == 0
    assert geo("book", "--eingriff", "STR-LEI-02", "--flaeche", "WUR-2018-001", "--punkte", "10.000", "--art",
               "zugeordnet", "--user", "admin", password=PASSWORD).returncode == 0
    xlsx = demo_dir / "verrechnung.xlsx"
    done = geo("verrechnung", "--gemeinde", "wurzen", "--jahr", "2026", "--ausgabe", str(xlsx))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Leipzig schuldet Wurzen 5.000,00\u00a0€."
    book = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert book.sheetnames == ["Hinweise", "Salden", "Buchungen"]
    rows = list(book["Buchungen"].values)
    assert rows[0][-2:] == ("Preis (€/WP)", "Betrag") and rows[1][0] == "B-2026-00128" and rows[1][-1] == 5_000.0
    refused = geo("preis", "--gemeinde", "wurzen", "--preis", "0,50", "--ab", "01.01.2026", "--user", "wurzen.gis",
                  password=PASSWORD)
    assert refused.returncode == 1 and "nur die Administration" in refused.stderr


def test_the_account_statement_runs_the_balance_booking_by_booking():
    acc = documents.account(_tiny(), "W-A")
    assert acc.value_points == 1e6
    assert acc.entries["allocation_id"].tolist() == ["B1", "B2", "B4", "B5", "B6"]
    assert acc.entries["balance"].tolist() == [990_000, 988_000, 990_000, 987_000, 986_500]
    assert acc.balance == 986_500
    assert files.account_table(acc)["Saldo (WP)"].tolist() == ["990.000", "988.000", "990.000", "987.000", "986.500"]
    with pytest.raises(BookingError, match="gibt es nicht"):
        documents.account(_tiny(), "X-1")
