"""The store on both backends (reads, one-transaction writes, change ids, chains); the GeoPackage
store's own files (recovery, staging, file modes) in the tests that take ``demo_store``."""

import dataclasses
import json
import os
import stat

import pandas as pd
import pyogrio
import pytest

from geo import schema
from geo.errors import StoreError
from geo.store import Store, chain, history_entry, open_store
from geo.store.gpkg import GeoPackageStore
from tests.storetools import put_layer, snapshot
from tests.test_validate import fingerprint


def test_the_store_satisfies_the_protocol_and_open_store_finds_it(any_store):
    assert isinstance(any_store, Store)
    opened = open_store()  # FLAECHENPOOL_DATA / FLAECHENPOOL_DATABASE_URL point at this store
    assert type(opened) is type(any_store) and opened.key == any_store.key
    if hasattr(opened, "close"):
        opened.close()


def test_the_geopackage_store_is_keyed_by_its_folder(demo_store, demo_dir):
    assert demo_store.key == f"gpkg:{demo_dir.resolve()}"


def test_reads_all_parties_in_one_call(any_store):
    demo_store = any_store
    pool = demo_store.read_layer(schema.POOL_AREAS)
    assert set(pool["ags"]) == set(schema.AGS_NAMES)
    assert pool.crs == schema.CRS
    assert list(pool.columns[: len(schema.POOL_FIELDS)]) == schema.field_names(schema.POOL_AREAS)
    assert pd.api.types.is_datetime64_any_dtype(pool["measure_start"])
    boundaries = demo_store.read_layer(schema.BOUNDARY)
    assert len(boundaries) == 9


def test_reads_one_municipality_by_ags_or_slug(any_store):
    demo_store = any_store
    by_slug = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    by_ags = demo_store.read_layer(schema.POOL_AREAS, ["14729410"])
    assert len(by_slug) == len(by_ags) > 0 and set(by_slug["ags"]) == {"14729410"}


def test_write_round_trips_and_leaves_other_layers_alone(any_store):
    demo_store = any_store
    pool = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    interventions = demo_store.read_layer(schema.INTERVENTIONS, ["wurzen"])
    changed = pool.copy()
    changed.loc[0, "name"] = "Neuer Name <b>"
    put_layer(demo_store, "wurzen", schema.POOL_AREAS, changed)
    again = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    assert again.loc[0, "name"] == "Neuer Name <b>"
    assert again["measure_start"].equals(pool["measure_start"])
    pd.testing.assert_frame_equal(demo_store.read_layer(schema.INTERVENTIONS, ["wurzen"]), interventions)


def test_a_write_that_fails_midway_changes_nothing_and_says_so_in_german(demo_store, demo_dir, monkeypatch):
    before_files = fingerprint(demo_dir)
    before = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    real_write = pyogrio.write_dataframe

    def half_then_fail(frame, target, **kw):
        real_write(frame.iloc[:1], target, **kw)  # the staged copy is already half-written ...
        raise OSError(28, "No space left on device")  # ... when the disk is full

    monkeypatch.setattr(pyogrio, "write_dataframe", half_then_fail)
    with pytest.raises(StoreError, match=r"Speichern fehlgeschlagen .*Speicherplatz voll.*Es wurde nichts geändert"):
        put_layer(demo_store, "wurzen", schema.POOL_AREAS, before.iloc[:3])
    monkeypatch.undo()
    pd.testing.assert_frame_equal(demo_store.read_layer(schema.POOL_AREAS, ["wurzen"]), before)
    put_layer(demo_store, "borsdorf", schema.POOL_AREAS, demo_store.read_layer(schema.POOL_AREAS, ["borsdorf"]))
    assert not list((demo_dir / ".staging").iterdir()), "staging files left behind"
    after = fingerprint(demo_dir)
    assert after["wurzen.gpkg"] == before_files["wurzen.gpkg"]


def test_version_changes_on_write(any_store):
    demo_store = any_store
    before = demo_store.version()
    put_layer(demo_store, "borsdorf", schema.POOL_AREAS, demo_store.read_layer(schema.POOL_AREAS, ["borsdorf"]))
    assert demo_store.version() != before


def test_version_ignores_files_being_staged(demo_store, demo_dir):
    before = demo_store.version()
    (demo_dir / ".staging").mkdir(exist_ok=True)
    (demo_dir / ".staging" / "abc-pool.gpkg").write_bytes(b"half")
    (demo_dir / ".pool-x1y2.gpkg").write_bytes(b"left by an older release")
    assert demo_store.version() == before


def test_a_transaction_that_aborts_writes_nothing(any_store):
    before = snapshot(any_store)

    def plan(state):
        raise StoreError("abgebrochen")

    with pytest.raises(StoreError):
        any_store.transact(plan)
    assert snapshot(any_store) == before


def test_the_plan_sees_the_state_inside_the_lock(any_store):
    demo_store = any_store
    seen = []
    demo_store.transact(lambda state: (seen.append(len(state.pool_areas)), (pd.DataFrame(), pd.DataFrame()))[1])
    assert seen == [len(demo_store.read_layer(schema.POOL_AREAS))]


def test_history_and_ledger_live_in_pool_gpkg(demo_store, demo_dir):
    layers = {name for name, _ in pyogrio.list_layers(demo_dir / "pool.gpkg")}
    assert {schema.ALLOCATIONS, schema.HISTORY} <= layers


def test_changes_get_the_next_id_and_a_chained_hash(any_store):
    demo_store = any_store
    history = demo_store.read_history()
    row = put_layer(demo_store, "borsdorf", schema.POOL_AREAS,
                    demo_store.read_layer(schema.POOL_AREAS, ["borsdorf"]).iloc[:-1]).iloc[0]
    assert row["change_id"] == f"C-{len(history) + 1:06d}"
    assert row["hash"] == chain.row_hash(row.to_dict(), schema.HISTORY, history["hash"].iloc[-1])
    stored = demo_store.read_history()
    assert chain.broken_rows(stored, schema.HISTORY) == [] and stored["hash"].iloc[-1] == row["hash"]


def test_change_ids_are_never_reused_even_if_history_rows_vanish(any_store):
    """A kept version names a change id: the next change takes a higher one, never overwriting it."""
    demo_store = store = any_store
    row = put_layer(demo_store, "borsdorf", schema.POOL_AREAS,
                    demo_store.read_layer(schema.POOL_AREAS, ["borsdorf"]).iloc[:-1]).iloc[0]
    kept = demo_store.read_version("borsdorf", row["change_id"], schema.POOL_AREAS)
    history = demo_store.read_history()
    store.replace_all(dataclasses.replace(store.read_all(), history=history.iloc[:-1]),
                      versions={ref: store.read_version(*ref) for ref in store.list_versions()})
    again = put_layer(store, "borsdorf", schema.POOL_AREAS,
                      store.read_layer(schema.POOL_AREAS, ["borsdorf"]).iloc[:-1]).iloc[0]
    assert again["change_id"] > row["change_id"]
    pd.testing.assert_frame_equal(store.read_version("borsdorf", row["change_id"], schema.POOL_AREAS), kept)


def test_writes_keep_the_files_modes(demo_store, demo_dir):
    os.chmod(demo_dir / "pool.gpkg", 0o640)
    os.chmod(demo_dir / "wurzen.gpkg", 0o664)
    pool = demo_store.read_layer(schema.POOL_AREAS, ["wurzen"])
    put_layer(demo_store, "wurzen", schema.POOL_AREAS, pool.iloc[:-1])
    assert stat.S_IMODE((demo_dir / "pool.gpkg").stat().st_mode) == 0o640
    assert stat.S_IMODE((demo_dir / "wurzen.gpkg").stat().st_mode) == 0o664
    for version in (demo_dir / "versions").rglob("*.gpkg"):
        assert stat.S_IMODE(version.stat().st_mode) == 0o644


def _stage_a_publish(demo_dir):
    """Run a publish up to its commit point and stop there, as a kill would."""
    store = GeoPackageStore(demo_dir)
    pool = store.read_layer(schema.POOL_AREAS, ["wurzen"])
    store._roll_forward = lambda moves: None  # the process "dies" right after writing the journal
    put_layer(store, "wurzen", schema.POOL_AREAS, pool.iloc[:-1])
    assert (demo_dir / ".staging" / "journal.json").exists()
    return pool


def test_a_committed_publish_is_completed_by_the_next_reader(demo_dir):
    pool = _stage_a_publish(demo_dir)
    moves = json.loads((demo_dir / ".staging" / "journal.json").read_text())["moves"]
    assert [final for _, final in moves][1:] == ["wurzen.gpkg", "pool.gpkg"]
    fresh = GeoPackageStore(demo_dir)
    assert len(fresh.read_layer(schema.POOL_AREAS, ["wurzen"])) == len(pool) - 1
    assert fresh.read_history()["action"].iloc[-1] == "upload"
    assert not list((demo_dir / ".staging").iterdir())


def test_uncommitted_staging_files_are_thrown_away(demo_store, demo_dir):
    before = fingerprint(demo_dir)
    (demo_dir / ".staging").mkdir(exist_ok=True)
    (demo_dir / ".staging" / "0123456789ab-wurzen.gpkg").write_bytes(b"half a publish")
    demo_store.transact(lambda state: (pd.DataFrame(), pd.DataFrame()))  # any write cleans up first
    assert fingerprint(demo_dir) == before
    assert not list((demo_dir / ".staging").iterdir())


def test_a_corrupt_file_is_a_german_store_error(demo_store, demo_dir):
    path = demo_dir / "wurzen.gpkg"
    path.write_bytes(path.read_bytes()[:3000])  # a truncated copy
    with pytest.raises(StoreError, match=r"wurzen.gpkg .*beschädigt"):
        demo_store.read_layer(schema.POOL_AREAS)


def test_an_empty_store_reads_as_empty_frames(any_empty_store):
    store = any_empty_store
    assert store.read_layer(schema.POOL_AREAS).empty
    assert store.read_allocations().empty
    assert list(store.read_history().columns) == schema.field_names(schema.HISTORY)


def test_history_entry_leaves_ids_and_hashes_to_the_store():
    entry = history_entry(user="x", layer="pool_areas", action="upload")
    assert entry["change_id"].iloc[0] is None and entry["hash"].iloc[0] is None
