"""The monitoring writes: permission checked in here, each one store transaction (all or nothing).

Who may: GIS staff of the area's municipality and administrators (:mod:`geo.access.permissions`);
a document on a booking also the intervention's municipality. Inspections, implementation states and
inspection photos and reports also the partner the process handbook names for monitoring
(:mod:`geo.monitoring.delegation`, passed in as *delegation*). Setting an area to ``gesperrt``
is for administrators only; it publishes the area's layer with that one change (the earlier
state is kept) and leaves the ledger as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from geo import fmt, schema
from geo.access import privacy
from geo.access.permissions import User, can_edit_municipality, require_admin, require_edit_municipality
from geo.errors import DataError, PermissionDenied
from geo.monitoring.delegation import NOBODY, Delegation, require_inspect
from geo.monitoring.files import Attachment
from geo.schema import PoolData
from geo.store import Monitoring, MonitoringChange, Store, change_number, history_entry

PREFIXES = {schema.MEASURE_EVENTS: "U", schema.INSPECTIONS: "K", schema.DOCUMENTS: "D"}
PHOTO_KINDS = frozenset({"Foto", "Kontrollbericht"})
"""Document kinds that never hold owners' personal data; the others on a private owner's area do."""


def _area(pool_areas: pd.DataFrame, pool_id: str) -> pd.Series:
    rows = pool_areas[pool_areas["pool_id"] == pool_id]
    if rows.empty:
        raise DataError(f"Die Poolfläche „{pool_id}“ gibt es nicht.")
    return rows.iloc[0]


def _ids(existing: pd.Series, table: str, count: int) -> list[str]:
    start = max((change_number(v) for v in existing), default=0) + 1
    return [f"{PREFIXES[table]}-{n:06d}" for n in range(start, start + count)]


def _rows(table: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=schema.field_names(table))


def _empty(table: str) -> pd.DataFrame:
    return schema.empty_table(table)


def _documents(stored: pd.DataFrame, attachments: Sequence[Attachment], *, target: str, target_id: str,
               area: pd.Series, kind: str, user: User, at: str) -> pd.DataFrame:
    ids = _ids(stored["document_id"], schema.DOCUMENTS, len(attachments))
    return _rows(schema.DOCUMENTS, [{
        "document_id": doc_id, "target": target, "target_id": target_id, "pool_id": area["pool_id"],
        "ags": area["ags"], "kind": ("Foto" if a.is_image else "Kontrollbericht") if kind == "Foto" else kind,
        "file_name": a.file_name[:schema.NAME_LENGTH], "media_type": a.media_type, "size_bytes": len(a.content),
        "sha256": a.sha256, "user": user.username, "at": at} for doc_id, a in zip(ids, attachments, strict=True)])


def _check_date(on: dt.date, what: str) -> None:
    if on > fmt.today():
        raise DataError(f"{what}: das Datum {fmt.date(on)} liegt in der Zukunft.")


def record_state(store: Store, user: User | None, *, pool_id: str, state: str, on: dt.date,
                 note: str = "", delegation: Delegation = NOBODY) -> MonitoringChange:
    """Record that *pool_id*'s measure reached *state* on *on* (not a function check: that is an inspection)."""
    if state not in schema.IMPLEMENTATION_STATES or state in schema.INSPECTION_STATE.values():
        raise DataError(f"„{state}“ wird hier nicht erfasst; Funktionskontrollen bitte als Kontrolle eintragen.")
    _check_date(on, "Umsetzungsstand")

    def plan(data: PoolData, stored: Monitoring) -> MonitoringChange:
        area = _area(data.pool_areas, pool_id)
        signed_in = require_inspect(user, str(area["ags"]), delegation, "Umsetzungsstand erfassen")
        at = fmt.iso()
        events = _rows(schema.MEASURE_EVENTS, [{
            "event_id": _ids(stored.events["event_id"], schema.MEASURE_EVENTS, 1)[0], "pool_id": pool_id,
            "ags": area["ags"], "state": state, "date": on.isoformat(), "user": signed_in.username,
            "note": note.strip(), "inspection_id": None, "at": at}])
        entry = history_entry(user=signed_in.username, ags=str(area["ags"]), layer=schema.MEASURE_EVENTS,
                              action="monitoring", added=1, notes=f"{pool_id}: {state} am {fmt.date(on)}")
        return MonitoringChange(events, _empty(schema.INSPECTIONS), _empty(schema.DOCUMENTS), entry, {})

    return store.record_monitoring(plan)


def record_inspection(store: Store, user: User | None, *, pool_id: str, on: dt.date, inspector: str, result: str,
                      note: str = "", attachments: Sequence[Attachment] = (),
                      delegation: Delegation = NOBODY) -> MonitoringChange:
    """Record a function check of *pool_id* with its photos (PDFs become its ``Kontrollbericht``); the area's
    state follows its result."""
    if result not in schema.INSPECTION_RESULTS:
        raise DataError(f"Unbekanntes Ergebnis „{result}“ (erlaubt: {', '.join(schema.INSPECTION_RESULTS)}).")
    if not inspector.strip():
        raise DataError("Bitte angeben, wer kontrolliert hat.")
    if result == "mit Mängeln" and not note.strip():
        raise DataError("Bei Mängeln bitte in der Bemerkung beschreiben, welche.")
    _check_date(on, "Kontrolle")

    def plan(data: PoolData, stored: Monitoring) -> MonitoringChange:
        area = _area(data.pool_areas, pool_id)
        signed_in = require_inspect(user, str(area["ags"]), delegation, "Kontrolle erfassen")
        at = fmt.iso()
        inspection_id = _ids(stored.inspections["inspection_id"], schema.INSPECTIONS, 1)[0]
        common = {"pool_id": pool_id, "ags": area["ags"], "date": on.isoformat(), "user": signed_in.username,
                  "note": note.strip(), "at": at}
        inspections = _rows(schema.INSPECTIONS, [{**common, "inspection_id": inspection_id,
                                                  "inspector": inspector.strip(), "result": result}])
        events = _rows(schema.MEASURE_EVENTS, [{
            **common, "event_id": _ids(stored.events["event_id"], schema.MEASURE_EVENTS, 1)[0],
            "state": schema.INSPECTION_STATE[result], "inspection_id": inspection_id}])
        documents = _documents(stored.documents, attachments, target="inspection", target_id=inspection_id,
                               area=area, kind="Foto", user=signed_in, at=at)
        entry = history_entry(user=signed_in.username, ags=str(area["ags"]), layer=schema.INSPECTIONS,
                              action="monitoring", added=1 + len(documents),
                              notes=f"{pool_id}: Kontrolle {inspection_id} am {fmt.date(on)}, {result}, "
                                    f"{fmt.count(len(documents), 'Datei', 'Dateien')}")
        return MonitoringChange(events, inspections, documents, entry, {a.sha256: a.content for a in attachments})

    return store.record_monitoring(plan)


def _target_area(data: PoolData, stored: Monitoring, target: str, target_id: str) -> tuple[pd.Series, set[str]]:
    """The area a document target concerns (``pool_id`` and ``ags``; an intervention's own documents concern
    no area: its municipality, no pool id) and the municipalities that may attach to it."""
    if target == "pool_area":
        area = _area(data.pool_areas, target_id)
        return area, {str(area["ags"])}
    if target == "inspection":
        rows = stored.inspections[stored.inspections["inspection_id"] == target_id]
        if rows.empty:
            raise DataError(f"Die Kontrolle „{target_id}“ gibt es nicht.")
        area = _area(data.pool_areas, str(rows["pool_id"].iloc[0]))
        return area, {str(area["ags"])}
    if target == "intervention":
        interventions = data.interventions[data.interventions["intervention_id"] == target_id]
        if interventions.empty:
            raise DataError(f"Den Eingriff „{target_id}“ gibt es nicht.")
        ags = str(interventions["ags"].iloc[0])
        return pd.Series({"pool_id": None, "ags": ags}), {ags}
    rows = data.allocations[data.allocations["allocation_id"] == target_id]
    if rows.empty:
        raise DataError(f"Die Buchung „{target_id}“ gibt es nicht.")
    area = _area(data.pool_areas, str(rows["pool_id"].iloc[0]))
    interventions = data.interventions[data.interventions["intervention_id"] == rows["intervention_id"].iloc[0]]
    return area, {str(area["ags"]), *map(str, interventions["ags"])}


def inspection_material(target: str, kind: str) -> bool:
    """Photos and check reports on an area or an inspection: the handbook's inspectors may attach them too."""
    return kind in PHOTO_KINDS and target in ("pool_area", "inspection")


def attach(store: Store, user: User | None, *, target: str, target_id: str, kind: str,
           attachments: Sequence[Attachment], delegation: Delegation = NOBODY) -> MonitoringChange:
    """Attach documents of *kind* to a pool area, a booking, an inspection or an intervention (its approval
    notice and planning documents: the intervention's municipality)."""
    if target not in schema.DOCUMENT_TARGETS:
        raise DataError(f"Dokumente gehören zu einer Fläche, Buchung, Kontrolle oder einem Eingriff, "
                        f"nicht zu „{target}“.")
    if kind not in schema.DOCUMENT_KINDS:
        raise DataError(f"Unbekannte Dokumentart „{kind}“.")
    if target == "intervention" and kind not in schema.INTERVENTION_DOCUMENT_KINDS:
        raise DataError(f"Zu einem Eingriff gehören {', '.join(schema.INTERVENTION_DOCUMENT_KINDS)}, nicht „{kind}“.")
    if not attachments:
        raise DataError("Bitte mindestens eine Datei wählen.")

    def plan(data: PoolData, stored: Monitoring) -> MonitoringChange:
        area, allowed = _target_area(data, stored, target, target_id)
        if inspection_material(target, kind):
            signed_in = require_inspect(user, str(area["ags"]), delegation, f"{kind} hinzufügen")
        else:
            signed_in = next((user for ags in sorted(allowed) if user is not None and can_edit_municipality(user, ags)),
                             None) or require_edit_municipality(user, str(area["ags"]), "Dokument hinzufügen")
        documents = _documents(stored.documents, attachments, target=target, target_id=target_id, area=area,
                               kind=kind, user=signed_in, at=fmt.iso())
        entry = history_entry(user=signed_in.username, ags=str(area["ags"]), layer=schema.DOCUMENTS,
                              action="monitoring", added=len(documents),
                              notes=f"{kind} zu {target_id}: {fmt.count(len(documents), 'Datei', 'Dateien')}")
        return MonitoringChange(_empty(schema.MEASURE_EVENTS), _empty(schema.INSPECTIONS), documents, entry,
                                {a.sha256: a.content for a in attachments})

    return store.record_monitoring(plan)


def may_open(user: User | None, document: pd.Series, pool_areas: pd.DataFrame) -> bool:
    """May *user* open this document's file? Photos and check reports: everyone who reads. Other kinds on
    an area whose owner is (possibly) a private person, and an intervention's own documents (a notice names
    its applicant): only who may see that municipality's personal data (privacy rules)."""
    if str(document["kind"]) in PHOTO_KINDS:
        return True
    area = pool_areas[pool_areas["pool_id"] == document["pool_id"]]
    personal = area.empty or bool(privacy.personal(area).any())
    return not personal or privacy.can_see_owner(user, str(document["ags"]))


def open_document(store: Store, user: User | None, document: pd.Series, pool_areas: pd.DataFrame) -> bytes:
    """The document's file, if *user* may open it (else :class:`PermissionDenied`)."""
    if not may_open(user, document, pool_areas):
        raise PermissionDenied(f"{document['kind']} zu {document['pool_id']}: kann Angaben zu privaten Eigentümern "
                               f"enthalten; nur GIS-Zuständige von {schema.AGS_NAMES.get(str(document['ags']), '')} "
                               "und die Administration dürfen die Datei öffnen.")
    return store.read_file(str(document["sha256"]))


def lock_area(store: Store, user: User | None, *, pool_id: str, reason: str) -> pd.DataFrame:
    """Set *pool_id* to ``gesperrt`` (administrators): its layer is published with that one change and the
    earlier state kept; the ledger stays as it is. Returns the history row."""
    signed_in = require_admin(user, "Fläche sperren")
    if not reason.strip():
        raise DataError("Bitte einen Grund für die Sperrung angeben (er steht in der Historie).")

    def plan(current: gpd.GeoDataFrame, state: PoolData) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
        found = current["pool_id"] == pool_id
        if not found.any():
            raise DataError(f"Die Poolfläche „{pool_id}“ gibt es nicht.")
        if (current.loc[found, "status"] == "gesperrt").all():
            raise DataError(f"{pool_id} ist schon gesperrt.")
        layer = current.copy()
        layer.loc[found, "status"] = "gesperrt"
        return layer, history_entry(user=signed_in.username, ags=str(layer.loc[found, "ags"].iloc[0]),
                                    layer=schema.POOL_AREAS, action="lock", source="Monitoring", changed=1,
                                    notes=f"{pool_id} gesperrt: {reason.strip()}")

    ags = _area(store.read_layer(schema.POOL_AREAS), pool_id)["ags"]
    return store.publish_layer(str(ags), schema.POOL_AREAS, plan)
