"""Legacy ledger import: columns mapped as for uploads, rules checked in date order, all or nothing."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from geo.access.permissions import User
from geo.accounting import audit, legacy, summary
from geo.errors import DataError, PermissionDenied
from tests.conftest import DATA, WURZEN
from tests.storetools import snapshot

ADMIN = User("admin", "admin")
HEADER = "Eingriff;Fläche;Wertpunkte;Art;Datum;Bearbeiter;Bemerkung"


def _targets(store) -> tuple[str, str, float]:
    """An approved Wurzen intervention with open demand, a Wurzen area, and the area's free points."""
    view = summary.pool_view(store.read_all())
    itv, pool = view.interventions, view.pool_areas
    target = itv[(itv["ags"] == WURZEN) & itv["status"].isin(["genehmigt", "umgesetzt"]) & (itv["open_points"] > 5_000)]
    area = pool[(pool["ags"] == WURZEN) & (pool["free_points"] > 5_000)].sort_values("free_points")
    return str(target["intervention_id"].iloc[0]), str(area["pool_id"].iloc[0]), float(area["free_points"].iloc[0])


def _csv(*lines: str) -> pd.DataFrame:
    return legacy.read_table("bestand.csv", "\n".join([HEADER, *lines]).encode("cp1252"))


def test_columns_and_kinds_are_mapped_like_an_upload():
    frame = _csv("E-1;F-1;1.000;Zuordnung;01.02.2019;Frau Alt;", "E-1;F-1;500;Reservierung;01.02.2019;Frau Alt;")
    mapping = legacy.guess(frame)
    assert mapping.columns == {"intervention_id": "Eingriff", "pool_id": "Fläche", "points": "Wertpunkte",
                               "kind": "Art", "date": "Datum", "booked_by": "Bearbeiter", "notes": "Bemerkung"}
    assert mapping.values == {"kind": {"Zuordnung": "zugeordnet", "Reservierung": "reserviert"}}


def test_one_refused_row_imports_nothing_and_names_every_refusal(any_store):
    intervention_id, pool_id, free = _targets(any_store)
    frame = _csv(f"{intervention_id};{pool_id};1.000;Zuordnung;15.03.2019;Frau Alt;Vertrag 12",
                 f"{intervention_id};GIBT-ES-NICHT;500;Zuordnung;01.02.2019;Frau Alt;",
                 f"{intervention_id};{pool_id};{int(free)};Zuordnung;01.04.2019;Frau Alt;",  # too much after row 2
                 f"{intervention_id};{pool_id};200;vielleicht;01.05.2019;Frau Alt;",
                 f"{intervention_id};{pool_id};200;Zuordnung;31.02.2019;Frau Alt;")
    preview = legacy.check(frame, legacy.guess(frame), any_store.read_all())
    assert preview.rows["line"].tolist() == [3, 2, 4, 5, 6]  # date order; the unreadable date last
    reasons = dict(zip(preview.rows["line"], preview.rows["reason"], strict=True))
    assert reasons[2] == ""
    assert reasons[3] == "Die Poolfläche „GIBT-ES-NICHT“ gibt es nicht."
    assert reasons[4].startswith(f"Die Poolfläche {pool_id} hat nur noch ")
    assert reasons[5].startswith("Buchungsart „vielleicht“ unbekannt")
    assert reasons[6] == "Datum „31.02.2019“ nicht lesbar (TT.MM.JJJJ)"
    before = snapshot(any_store)
    with pytest.raises(DataError, match=r"^4 von 5 Zeilen abgelehnt, es wurde nichts importiert\. Zeile 3: "):
        legacy.import_ledger(any_store, ADMIN, frame, legacy.guess(frame), source="bestand.csv")
    assert snapshot(any_store) == before


def test_a_clean_register_is_appended_in_one_change_with_its_original_dates(any_store):
    intervention_id, pool_id, _ = _targets(any_store)
    frame = _csv(f"{intervention_id};{pool_id};1.000;Zuordnung;15.03.2019;Frau Alt;Vertrag 12",
                 f"{intervention_id};{pool_id};2.500;Reservierung;01.02.2018;Herr Früh;")
    with pytest.raises(PermissionDenied, match="nur die Administration"):
        legacy.import_ledger(any_store, User("wurzen.gis", "gis", WURZEN), frame, legacy.guess(frame),
                             source="bestand.csv")
    before = any_store.read_all()
    rows = legacy.import_ledger(any_store, ADMIN, frame, legacy.guess(frame), source="bestand.csv")
    after = any_store.read_all()
    assert len(after.allocations) == len(before.allocations) + 2
    assert len(after.history) == len(before.history) + 1
    assert after.history.iloc[-1][["action", "source", "added"]].tolist() == ["booking", "bestand.csv", 2]
    stored = after.allocations.iloc[-2:]
    assert [d.date().isoformat() for d in pd.to_datetime(stored["date"])] == ["2018-02-01", "2019-03-15"]
    assert stored["kind"].tolist() == ["reserviert", "zugeordnet"]
    assert stored["booked_by"].tolist() == ["Herr Früh", "Frau Alt"]
    assert stored["allocation_id"].str[:7].tolist() == ["B-2018-", "B-2019-"]
    assert stored["notes"].tolist() == ["Altbestand (bestand.csv)", "Altbestand (bestand.csv) · Vertrag 12"]
    assert rows["allocation_id"].tolist() == stored["allocation_id"].tolist()
    assert audit.verify(any_store).ok, audit.verify(any_store).lines()


def test_an_excel_register_reads_like_the_csv():
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Eingriffs-ID", "Flächen-ID", "WP", "Buchungsart", "Buchungsdatum", "Gebucht von"])
    sheet.append(["E-1", "F-1", 1200, "zugeordnet", pd.Timestamp("2017-06-01").to_pydatetime(), "Frau Alt"])
    out = io.BytesIO()
    book.save(out)
    frame = legacy.read_table("bestand.xlsx", out.getvalue())
    mapping = legacy.guess(frame)
    assert set(mapping.columns) == set(legacy.REQUIRED)
    assert legacy.parse_row(frame.to_dict("records")[0], mapping, pd.Timestamp("2026-01-01").date()) == (
        legacy.Row("E-1", "F-1", 1200.0, "zugeordnet", pd.Timestamp("2017-06-01").date(), "Frau Alt", ""), "")
    with pytest.raises(DataError, match="bitte eine Excel-Datei"):
        legacy.read_table("bestand.ods", b"")


def test_the_import_page_previews_refuses_and_imports(demo_dir):
    from geo.store.gpkg import GeoPackageStore
    from tests.test_page_partner_handbuch import open_page

    store = GeoPackageStore(demo_dir)
    intervention_id, pool_id, _ = _targets(store)
    good = f"{intervention_id};{pool_id};1.000;Abbuchung;15.03.2019;Frau Alt;"
    assert "Diese Seite ist der Administration vorbehalten" in open_page("views/altbestand.py").error[0].value
    at = open_page("views/altbestand.py", ADMIN)
    upload = "\n".join([HEADER, good, f"{intervention_id};{pool_id};1;Tausch;16.03.2019;Frau Alt;"]).encode()
    at.get("file_uploader")[0].set_value(("bestand.csv", upload, "text/csv"))
    at.run()
    assert at.selectbox(key="altbestand_bestand.csv-points").value == "Wertpunkte"
    preview = next(df.value for df in at.dataframe if "Ergebnis" in df.value.columns)
    assert preview["Ergebnis"].tolist()[0].startswith("wird als B-2019-")
    assert preview["Ergebnis"].tolist()[1].startswith("Buchungsart „Tausch“ unbekannt")
    assert "1 Zeile wird abgelehnt" in at.error[0].value
    assert not any(b.label == "Altbestand importieren" for b in at.button)
    at.selectbox(key="altbestand_bestand.csv-wert-Tausch").set_value("zugeordnet")  # the partner says what it means
    at.run()
    next(b for b in at.button if b.label == "Altbestand importieren").click()
    at.run()
    assert "2 Buchungen aus „bestand.csv“ importiert." in [s.value for s in at.success]
    assert store.read_all().history.iloc[-1]["source"] == "bestand.csv"


def test_the_bundled_example_register_imports_cleanly_into_the_demo(demo_dir):
    from geo.store.gpkg import GeoPackageStore

    path = DATA / "beispiele" / "altbestand-trebsen.csv"
    frame = legacy.read_table(path.name, path.read_bytes())
    store = GeoPackageStore(demo_dir)
    preview = legacy.check(frame, legacy.guess(frame), store.read_all())
    assert preview.ok, preview.refused[["line", "reason"]].values.tolist()
    rows = legacy.import_ledger(store, ADMIN, frame, legacy.guess(frame), source=path.name)
    assert rows["allocation_id"].str[:7].tolist() == ["B-2022-", "B-2023-", "B-2024-"]
    assert audit.verify(store).ok
