import pandas as pd
import pyogrio
import pytest

from geo import schema
from geo.errors import StoreError
from geo.store.gpkg import Store, history_entry


def test_reads_all_parties_in_one_call(demo_store):
    pool = demo_store.read_layer(schema.POOL_AREAS)
    assert set(pool["ags"]) == set(schema.AGS_NAMES)
    assert pool.crs == schema.CRS
    assert list(pool.columns[: len(schema.POOL_FIELDS)]) == schema.field_names(schema.POOL_AREAS)
    assert pd.api.types.is_datetime64_any_dtype(pool["measure_start"])
    boundaries = demo_store.read_layer(schema.BOUNDARY)
    assert len(boundaries) == 9


def test_reads_one_municipality_by_ags_or_slug(demo_store):
    by_slug = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    by_ags = demo_store.read_layer(schema.POOL_AREAS, ["14729410"])
    assert len(by_slug) == len(by_ags) > 0 and set(by_slug["ags"]) == {"14729410"}


def test_write_round_trips_and_leaves_other_layers_alone(demo_store):
    pool = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    interventions = demo_store.read_layer(schema.INTERVENTIONS, ["wurzen"])
    changed = pool.copy()
    changed.loc[0, "name"] = "Neuer Name <b>"
    demo_store.write_layer("wurzen", schema.POOL_AREAS, changed)
    again = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    assert again.loc[0, "name"] == "Neuer Name <b>"
    assert again["measure_start"].equals(pool["measure_start"])
    pd.testing.assert_frame_equal(demo_store.read_layer(schema.INTERVENTIONS, ["wurzen"]), interventions)


def test_a_write_that_fails_midway_leaves_the_old_file(demo_store, monkeypatch):
    path = demo_store.municipal_path("wurzen")
    before_bytes = path.read_bytes()
    before = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    real_write = pyogrio.write_dataframe

    def half_then_fail(frame, target, **kw):
        real_write(frame.iloc[:1], target, **kw)  # the copy is already half-written ...
        raise OSError("disk full")  # ... when the write dies

    monkeypatch.setattr(pyogrio, "write_dataframe", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        demo_store.write_layer("wurzen", schema.POOL_AREAS, before.iloc[:3])
    monkeypatch.undo()
    assert path.read_bytes() == before_bytes
    pd.testing.assert_frame_equal(demo_store.read_layer(schema.POOL_AREAS, ["wurzen"]), before)
    assert not list(path.parent.glob(".wurzen-*.gpkg")), "temporary file left behind"


def test_version_changes_on_write(demo_store):
    before = demo_store.version()
    demo_store.write_layer("borsdorf", schema.POOL_AREAS, demo_store.read_layer(schema.POOL_AREAS, ["borsdorf"]))
    assert demo_store.version() != before


def test_pool_transaction_aborts_without_writing(demo_store):
    before = demo_store.pool_path.read_bytes()

    def plan(ledger, history):
        raise StoreError("abgebrochen")

    with pytest.raises(StoreError):
        demo_store.transact_pool(plan)
    assert demo_store.pool_path.read_bytes() == before


def test_history_and_ledger_live_in_pool_gpkg(demo_store):
    layers = {name for name, _ in pyogrio.list_layers(demo_store.pool_path)}
    assert {schema.ALLOCATIONS, schema.HISTORY} <= layers
    history = demo_store.read_history()
    entry = history_entry(user="x", layer="pool_areas", action="upload", history=history)
    assert entry["change_id"].iloc[0] == f"C-{len(history) + 1:06d}"


def test_an_empty_store_reads_as_empty_frames(tmp_path):
    store = Store(tmp_path)
    assert store.read_layer(schema.POOL_AREAS).empty
    assert store.read_allocations().empty
    assert list(store.read_history().columns) == schema.field_names(schema.HISTORY)
