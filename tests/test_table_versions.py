"""Valuation table versions on both backends: checked, previewed, switched, kept, recomputed by date."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from geo import fmt
from geo.access.permissions import User
from geo.accounting import summary, valuation, versions
from geo.config import ValuationModels
from geo.errors import DataError, PermissionDenied
from geo.schema import PoolData
from geo.store import Store
from geo.store import backup as store_backup
from geo.store.gpkg import GeoPackageStore
from tests.conftest import intervention_frame, pool_frame, square
from tests.storetools import snapshot

ADMIN = User("admin", "admin")
MODELS = ValuationModels()
PROVENANCE = versions.Provenance(title="Handlungsempfehlung Sachsen 2026", source="SMUL, Entwurf 2026",
                                 version="2026", date="2026-06-01")


def _raised(store: Store, model: str, by: float) -> str:
    """*model*'s stored table with every value times *by*, as an upload would bring it."""
    table = valuation.parse_table(store.read_valuation_sources()[model]).biotopes.reset_index()
    table["value_per_m2"] = (table["value_per_m2"] * by).round(1)
    return versions.table_text(table.to_csv(index=False).encode(), model, PROVENANCE)


def test_a_table_missing_a_code_in_use_is_refused_and_nothing_switches(any_store: Store):
    table = valuation.parse_table(any_store.read_valuation_sources()["sachsen"]).biotopes.reset_index()
    used = sorted(versions.codes_in_use(any_store.read_all(), "sachsen", MODELS))
    text = versions.table_text(table[table["code"] != used[0]].to_csv(index=False).encode(), "sachsen", PROVENANCE)
    before = snapshot(any_store), any_store.read_valuation_sources()
    with pytest.raises(DataError, match=f"Biotopcodes in Gebrauch fehlen: {used[0]}"):
        versions.switch(any_store, ADMIN, "sachsen", text, models=MODELS)
    assert (snapshot(any_store), any_store.read_valuation_sources()) == before
    assert any_store.read_valuation_versions().empty


def test_every_problem_is_reported_in_german():
    data = pd.DataFrame({"code": ["AIN", "AIN", "GMF"], "name": ["a", "b", "c"], "value_per_m2": [4, 5, 400],
                         "development_factor": [1.0, 0.0, 0.5]})
    text = versions.table_text(data.to_csv(index=False).encode(), "sachsen")
    pool = pool_frame([{"pool_id": "P", "geometry": square(0, 0, 10), "biotope_after": "WLB"}])
    itv = intervention_frame([{"intervention_id": "E", "geometry": square(0, 0, 10)}])
    found = versions.problems(text, "sachsen", PoolData(pool.iloc[:0], pool, itv, pd.DataFrame(), pd.DataFrame()),
                              MODELS)
    assert found == ["Herkunft fehlt: Titel, Quelle, Version, Stand.", "Biotopcodes doppelt: AIN.",
                     "Biotopwert nicht zwischen 0 und 100 WP/m²: GMF.",
                     "Entwicklungsfaktor nicht größer 0 und höchstens 1: AIN.",
                     "Biotopcodes in Gebrauch fehlen: WLB, XVS (Poolflächen oder Eingriffe nutzen sie)."]


def test_only_administrators_switch(any_store: Store):
    with pytest.raises(PermissionDenied):
        versions.switch(any_store, User("wurzen.gis", "gis", "14729410"), "sachsen",
                        _raised(any_store, "sachsen", 1.1), models=MODELS)


def test_preview_equals_the_balances_after_the_switch_and_older_figures_come_back(any_store: Store):
    now = fmt.now()
    text = _raised(any_store, "sachsen", 1.2)
    old_balances = versions.balances(any_store.read_all(), "sachsen", MODELS, now)
    preview = versions.impact(any_store.read_all(), "sachsen", text, MODELS, now)
    assert (preview["balance_after"] != preview["balance_before"]).all()

    entry = versions.switch(any_store, ADMIN, "sachsen", text, models=MODELS, source="sachsen-2026.csv")
    assert entry["action"].iloc[0] == "valuation" and "Version Demo 1.0 → 2026" in entry["notes"].iloc[0]
    after = versions.balances(any_store.read_all(), "sachsen", MODELS, now)
    pd.testing.assert_series_equal(preview["balance_after"], after["balance"], check_names=False)
    pd.testing.assert_series_equal(preview["free_points_after"], after["free_points"], check_names=False)
    pd.testing.assert_series_equal(preview["open_points_after"], after["open_points"], check_names=False)

    kept = any_store.read_valuation_versions()
    assert kept[["model", "change_id"]].values.tolist() == [["sachsen", entry["change_id"].iloc[0]]]
    yesterday = fmt.today() - dt.timedelta(days=1)
    earlier = versions.balances(versions.data_on(any_store, yesterday), "sachsen", MODELS, now)
    pd.testing.assert_frame_equal(earlier, old_balances)
    today = versions.balances(versions.data_on(any_store, fmt.today()), "sachsen", MODELS, now)
    pd.testing.assert_frame_equal(today, after)
    assert summary.pool_view(any_store.read_all()).interventions["agreed_factor"].notna().all()


def test_an_xlsx_upload_with_provenance_from_the_form():
    frame = pd.DataFrame({"code": ["AIN"], "name": ["Acker"], "value_per_m2": [4], "development_factor": [1.0]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    text = versions.table_text(buffer.getvalue(), "sachsen", PROVENANCE)
    table = valuation.parse_table(text)
    assert (table.model, table.version, table.source) == ("sachsen", "2026", "SMUL, Entwurf 2026")
    assert table.biotopes.loc["AIN", "value_per_m2"] == 4


def test_kept_table_versions_survive_a_copy_of_the_store(any_store: Store, tmp_path):
    """Backups of a PostGIS store and migrations go through the Protocol: the earlier tables go with them."""
    versions.switch(any_store, ADMIN, "sachsen", _raised(any_store, "sachsen", 1.1), models=MODELS)
    kept = any_store.read_valuation_versions()
    assert len(kept) == 1
    store_backup.copy_store(any_store, tmp_path / "kopie")
    copy = GeoPackageStore(tmp_path / "kopie")
    pd.testing.assert_frame_equal(copy.read_valuation_versions(), kept)
    assert copy.read_valuation_sources() == any_store.read_valuation_sources()
