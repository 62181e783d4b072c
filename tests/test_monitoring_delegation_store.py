"""The handbook's monitoring partner records inspections through the store, on both backends: Wurzen for
Lossatal yes, for Leipzig no (nothing stored); other documents stay with the area's municipality."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import schema
from geo.access.permissions import User
from geo.errors import PermissionDenied
from geo.monitoring import delegation, files, records
from geo.store import Store
from tests.conftest import LEIPZIG, REPO, WURZEN
from tests.monitoringtools import PDF, photo
from tests.storetools import snapshot

LOSSATAL = schema.municipality("lossatal").ags
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN, "GIS Stadt Wurzen")
HANDBOOK = delegation.parse((REPO / "data" / "handbuch.md").read_text(encoding="utf-8"))
ON = dt.date(2026, 5, 4)


def _area(store: Store, ags: str) -> str:
    return str(store.read_layer(schema.POOL_AREAS, [ags])["pool_id"].iloc[0])


def _everything(store: Store) -> tuple[object, ...]:
    return snapshot(store), tuple(frame.to_csv() for frame in store.read_monitoring()), store.read_files()


def test_wurzen_records_an_inspection_with_photos_on_a_lossatal_area(any_store):
    pool_id = _area(any_store, LOSSATAL)
    shots = [files.check("los-1.jpg", photo(color="red")), files.check("bericht.pdf", PDF)]
    records.record_inspection(any_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="K. Lehmann (Wurzen)",
                              result="mit Mängeln", note="Zaun offen", attachments=shots, delegation=HANDBOOK)
    stored = any_store.read_monitoring()
    inspection = stored.inspections.iloc[-1]
    assert inspection[["pool_id", "ags", "user", "result"]].tolist() == [pool_id, LOSSATAL, "wurzen.gis",
                                                                         "mit Mängeln"]
    docs = stored.documents[stored.documents["target_id"] == inspection["inspection_id"]]
    assert list(docs["kind"]) == ["Foto", "Kontrollbericht"]
    assert any_store.read_history().iloc[-1][["user", "ags", "action"]].tolist() == ["wurzen.gis", LOSSATAL,
                                                                                     "monitoring"]


def test_wurzen_may_not_inspect_a_leipzig_area_and_nothing_is_stored(any_store):
    pool_id = _area(any_store, LEIPZIG)
    before = _everything(any_store)
    with pytest.raises(PermissionDenied, match=r"^Kontrolle erfassen für Leipzig: GIS Stadt Wurzen – GIS-Zuständige "
                                               r"darf das nicht\. Nur GIS-Zuständige von Leipzig oder die "):
        records.record_inspection(any_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="K", result="bestanden",
                                  attachments=[files.check("a.jpg", photo())], delegation=HANDBOOK)
    with pytest.raises(PermissionDenied, match="Umsetzungsstand erfassen für Leipzig"):
        records.record_state(any_store, WURZEN_GIS, pool_id=pool_id, state="umgesetzt", on=ON, delegation=HANDBOOK)
    assert _everything(any_store) == before


def test_without_the_handbook_line_wurzen_may_not_inspect_lossatal(any_store):
    pool_id = _area(any_store, LOSSATAL)
    before = _everything(any_store)
    with pytest.raises(PermissionDenied, match="Nur GIS-Zuständige von Lossatal oder die Administration"):
        records.record_inspection(any_store, WURZEN_GIS, pool_id=pool_id, on=ON, inspector="K", result="bestanden",
                                  delegation=delegation.NOBODY)
    assert _everything(any_store) == before


def test_states_and_photos_yes_land_register_and_lease_no(demo_store):
    pool_id = _area(demo_store, LOSSATAL)
    records.record_state(demo_store, WURZEN_GIS, pool_id=pool_id, state="umgesetzt", on=ON, delegation=HANDBOOK)
    records.attach(demo_store, WURZEN_GIS, target="pool_area", target_id=pool_id, kind="Foto",
                   attachments=[files.check("nachher.png", photo(fmt="PNG"))], delegation=HANDBOOK)
    stored = demo_store.read_monitoring()
    assert stored.events.iloc[-1][["pool_id", "state", "user"]].tolist() == [pool_id, "umgesetzt", "wurzen.gis"]
    assert stored.documents.iloc[-1][["kind", "target", "user"]].tolist() == ["Foto", "pool_area", "wurzen.gis"]
    before = _everything(demo_store)
    for kind in ("Grundbuchauszug", "Pachtvertrag"):
        with pytest.raises(PermissionDenied, match="Dokument hinzufügen für Lossatal"):
            records.attach(demo_store, WURZEN_GIS, target="pool_area", target_id=pool_id, kind=kind,
                           attachments=[files.check("akte.pdf", PDF)], delegation=HANDBOOK)
    ledger = demo_store.read_allocations()
    booking = str(ledger[ledger["pool_id"] == "LOS-2018-011"]["allocation_id"].iloc[0])
    with pytest.raises(PermissionDenied, match="Dokument hinzufügen für Lossatal"):  # bookings: not inspection material
        records.attach(demo_store, WURZEN_GIS, target="allocation", target_id=booking, kind="Foto",
                       attachments=[files.check("b.jpg", photo())], delegation=HANDBOOK)
    assert _everything(demo_store) == before
