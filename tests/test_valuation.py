import datetime as dt

import pytest

from geo.accounting import valuation
from geo.errors import DataError
from geo.store.gpkg import GeoPackageStore
from tests.conftest import DATA, LEIPZIG, intervention_frame, pool_frame, square

TABLES = valuation.read_tables(GeoPackageStore(DATA))
ON = dt.date(2026, 11, 1)


def test_tables_have_provenance_and_enough_biotopes():
    for table in TABLES.values():
        assert table.source and table.version and table.date and table.title
        assert len(table.biotopes) >= 40
        assert table.biotopes["development_factor"].between(0, 1).all()


def test_gain_of_a_completed_measure_uses_the_full_difference():
    # Wurzen uses the Saxon table: AIN 4 → WLB 27 WP/m²; 100 m × 100 m.
    pool = pool_frame([{"pool_id": "A", "geometry": square(0, 0, 100), "measure_end": "2020-05-01"}])
    assert valuation.pool_gain(pool, TABLES, on=ON).tolist() == [10_000 * (27 - 4)]


def test_gain_of_an_unfinished_measure_uses_the_development_factor():
    pool = pool_frame([{"pool_id": "A", "geometry": square(0, 0, 100), "measure_end": "2029-05-01"},
                       {"pool_id": "B", "geometry": square(500, 0, 100), "measure_end": None}])
    # WLB has development factor 0.5 in the Saxon table.
    assert valuation.pool_gain(pool, TABLES, on=ON).tolist() == [115_000, 115_000]


def test_each_municipality_is_valued_with_its_own_model():
    pool = pool_frame([{"pool_id": "A", "geometry": square(0, 0, 100), "measure_end": "2020-01-01"},
                       {"pool_id": "L", "ags": LEIPZIG, "geometry": square(0, 0, 100),
                        "measure_end": "2020-01-01"}])
    # Leipziger Modell: AIN 4 → WLB 26.
    assert valuation.pool_gain(pool, TABLES, on=ON).tolist() == [230_000, 220_000]


def test_gain_is_never_negative():
    pool = pool_frame([{"pool_id": "A", "geometry": square(0, 0, 100), "biotope_before": "WLB",
                        "biotope_after": "AIN", "measure_end": "2020-01-01"}])
    assert valuation.pool_gain(pool, TABLES, on=ON).tolist() == [0]


def test_demand_is_loss_times_area_and_never_negative():
    itv = intervention_frame([
        {"intervention_id": "E1", "geometry": square(0, 0, 50)},  # GMF 17 → XVS 0
        {"intervention_id": "E2", "geometry": square(0, 0, 50), "biotope_before": "XVS",
         "biotope_after": "GMF"},
    ])
    assert valuation.intervention_demand(itv, TABLES).tolist() == [2_500 * 17, 0]


def test_areas_are_measured_in_utm_even_for_wgs84_input():
    pool = pool_frame([{"pool_id": "A", "geometry": square(330_000, 5_690_000, 100),
                        "measure_end": "2020-01-01"}])
    in_degrees = pool.to_crs("EPSG:4326")
    assert valuation.area_m2(in_degrees).iloc[0] == pytest.approx(10_000, rel=1e-6)
    assert valuation.pool_gain(in_degrees, TABLES, on=ON).iloc[0] == pytest.approx(230_000, abs=1)


def test_unknown_codes_give_no_value_and_unknown_municipalities_are_refused():
    pool = pool_frame([{"pool_id": "A", "geometry": square(0, 0, 10), "biotope_after": "NOPE"}])
    assert valuation.pool_gain(pool, TABLES, on=ON).isna().all()
    pool = pool_frame([{"pool_id": "A", "geometry": square(0, 0, 10), "ags": "99999999"}])
    with pytest.raises(DataError, match="Unbekannter Gemeindeschlüssel: 99999999"):
        valuation.pool_gain(pool, TABLES, on=ON)


def test_a_broken_table_is_refused_in_german():
    text = ("# model: x\n# title: t\n# source: s\n# version: 1\n# date: 2020-01-01\n"
            "code,name,value_per_m2,development_factor\nA,a,5,1.5\n")
    with pytest.raises(DataError, match="Entwicklungsfaktor"):
        valuation.parse_table(text)
    with pytest.raises(DataError, match="Angaben fehlen"):
        valuation.parse_table("code,name,value_per_m2,development_factor\nA,a,5,1\n")
