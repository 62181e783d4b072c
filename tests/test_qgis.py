"""GeoPackages for QGIS (issue 16): version 1.2, ``layer_styles`` with the app's colours and value
lists, the municipal template that goes through the upload with zero errors."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from streamlit.testing.v1 import AppTest

from geo import schema
from geo.access.permissions import User
from geo.reports import qgis
from geo.store import open_location
from geo.store.gpkg import GeoPackageStore
from tests.conftest import DATA, REPO

WURZEN = "14729410"


@pytest.fixture(scope="module")
def demo() -> schema.PoolData:
    return open_location(str(DATA)).read_all()


def _rgb(color: str) -> str:
    return qgis._rgba(color).rsplit(",", 1)[0]


def _styled(tmp_path: Path, demo: schema.PoolData) -> Path:
    path = tmp_path / "styled.gpkg"
    qgis.write(path, {schema.POOL_AREAS: demo.pool_areas, schema.INTERVENTIONS: demo.interventions,
                      "boundaries": demo.boundaries, schema.ALLOCATIONS: demo.allocations})
    return path


def test_styled_geopackage_is_version_1_2(tmp_path, demo):
    with sqlite3.connect(_styled(tmp_path, demo)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200


def test_layer_styles_has_a_default_row_per_layer_with_the_status_colours(tmp_path, demo):
    with sqlite3.connect(_styled(tmp_path, demo)) as db:
        rows = {name: (column, qml, default) for name, column, qml, default in db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles")}
    assert set(rows) == {schema.POOL_AREAS, schema.INTERVENTIONS, "boundaries", schema.ALLOCATIONS}
    assert all(default == 1 for _, _, default in rows.values())
    assert rows[schema.POOL_AREAS][0] == "geom"
    pool_qml = rows[schema.POOL_AREAS][1]
    for status, color in schema.POOL_STATUS_COLORS.items():
        assert f'value="{status}"' in pool_qml and _rgb(color) in pool_qml
    assert "b_diagonal" in rows[schema.INTERVENTIONS][1]  # hatching
    for kind, color in schema.INTERVENTION_KIND_COLORS.items():
        assert f'value="{kind}"' in rows[schema.INTERVENTIONS][1] and _rgb(color) in rows[schema.INTERVENTIONS][1]


def _value_map(qml: str, field: str) -> list[str]:
    root = ET.fromstring(qml.split("\n", 1)[1])
    entry = root.find(f"fieldConfiguration/field[@name='{field}']/editWidget")
    assert entry is not None and entry.get("type") == "ValueMap"
    return [option.get("value", "") for option in entry.iterfind("config/Option/Option[@name='map']/Option/Option")]


def test_enum_fields_carry_value_lists_and_german_aliases(demo):
    qml = qgis.qml(schema.POOL_AREAS, schema.field_names(schema.POOL_AREAS))
    assert _value_map(qml, "status") == list(schema.POOL_STATUS)
    assert _value_map(qml, "measure_type") == list(schema.MEASURE_TYPES)
    assert _value_map(qml, "owner_type") == list(schema.OWNER_TYPES)
    assert _value_map(qgis.qml(schema.INTERVENTIONS, ["kind"]), "kind") == list(schema.INTERVENTION_KINDS)
    assert _value_map(qgis.qml(schema.ALLOCATIONS, ["kind"]), "kind") == list(schema.ALLOCATION_KINDS)
    assert 'name="Maßnahmentyp"' in qml


def _template(tmp_path: Path, data: Path) -> Path:
    out = tmp_path / "vorlage.gpkg"
    done = subprocess.run([sys.executable, "-m", "geo", "--daten", str(data), "vorlage", "--gemeinde", "wurzen",
                           "--ausgabe", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out


def test_template_has_empty_styled_layers_and_the_boundary(tmp_path):
    path = _template(tmp_path, DATA)
    layers = dict(pyogrio.list_layers(path))
    assert layers == {schema.POOL_AREAS: "MultiPolygon", schema.INTERVENTIONS: "MultiPolygon",
                      schema.BOUNDARY: "MultiPolygon", "layer_styles": None}
    info = pyogrio.read_info(path, layer=schema.POOL_AREAS)
    assert info["features"] == 0 and list(info["fields"]) == schema.field_names(schema.POOL_AREAS)
    assert pyogrio.read_info(path, layer=schema.POOL_AREAS)["crs"] == schema.CRS
    assert list(pyogrio.read_dataframe(path, layer=schema.BOUNDARY)["ags"]) == [WURZEN]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
        qml = db.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'pool_areas'").fetchone()[0]
    assert f"expression=\"'{WURZEN}'\"" in qml  # new objects get the municipality's AGS


def test_a_filled_template_passes_the_upload_check_with_zero_errors(tmp_path, demo):
    # A store where Wurzen has no pool areas yet (so one new area replaces nothing that is booked).
    kept = demo.pool_areas[demo.pool_areas["ags"] != WURZEN]
    ledger = demo.allocations[demo.allocations["pool_id"].isin(kept["pool_id"])].assign(hash=None)
    data = tmp_path / "data"
    GeoPackageStore(data).replace_all(dataclasses.replace(demo, pool_areas=kept, allocations=ledger),
                                      valuation=open_location(str(DATA)).read_valuation_sources())
    path = _template(tmp_path, data)
    area = demo.pool_areas[demo.pool_areas["ags"] == WURZEN].iloc[[0]].assign(pool_id="WUR-2026-901",
                                                                               status="geplant")
    area = gpd.GeoDataFrame(schema.dates_as_text(area), geometry="geometry", crs=schema.CRS)
    pyogrio.write_dataframe(area, path, layer=schema.POOL_AREAS, append=True, promote_to_multi=True)
    done = subprocess.run([sys.executable, "-m", "geo", "--daten", str(data), "check", str(path),
                           "--gemeinde", "wurzen"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "keine Fehler" in done.stdout and "Fehler:" not in done.stdout + done.stderr
    assert "1 hinzugefügt" in done.stdout


def _downloads(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def test_the_pages_offer_the_template_and_earlier_versions(demo_dir):
    gis = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    gis.session_state["user"] = User("wurzen.gis", "gis", WURZEN)
    gis.run()
    gis.switch_page("views/hochladen.py").run()
    assert not gis.exception, gis.exception
    assert "Vorlage herunterladen (GeoPackage)" in _downloads(gis)
    history = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    history.session_state["user"] = User("admin", "admin")
    history.run()
    history.switch_page("views/aenderungen.py").run()
    assert not history.exception, history.exception
    assert "Diesen Stand als GeoPackage (QGIS)" in _downloads(history)
