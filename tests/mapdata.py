"""A tiny hand-built pool for the map explorer's tests (two towns, four areas, three interventions)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.accounting import ledger, summary
from geo.schema import PoolData
from tests.conftest import MACHERN, WURZEN, intervention_frame, pool_frame, square

X0, Y0 = 340_000.0, 5_690_000.0  # near Wurzen, EPSG:25833
XSS = "<img src=x onerror=alert(1)>"


def tiny_view(allocations: list[dict] | None = None) -> summary.PoolView:
    boundaries = gpd.GeoDataFrame(
        {"ags": [WURZEN, MACHERN], "name": ["Wurzen", "Machern"]},
        geometry=[square(X0, Y0, 5_000), square(X0 - 6_000, Y0, 5_000)], crs=schema.CRS)
    pool = pool_frame([
        {"pool_id": "W1", "name": "Am Wald", "geometry": square(X0 + 100, Y0 + 100, 200), "value_points": 20_000.0,
         "parcels": "Gemarkung Nemt, Flur 3, 49/7", "measure_start": pd.Timestamp("2021-05-02")},
        {"pool_id": "W2", "name": XSS, "geometry": square(X0 + 500, Y0 + 100, 100), "value_points": 5_000.0,
         "measure_type": "Entsiegelung"},
        {"pool_id": "M1", "name": "Kiesgrube", "ags": MACHERN, "geometry": square(X0 - 5_000, Y0 + 100, 300),
         "value_points": 50_000.0, "parcels": "Gemarkung Püchau, Flur 2, 504/3"},
        {"pool_id": "M2", "name": "Aue", "ags": MACHERN, "status": "geplant",
         "geometry": square(X0 - 4_000, Y0 + 100, 100), "value_points": 8_000.0},
    ])
    itv = intervention_frame([
        {"intervention_id": "E1", "name": "B-Plan Nord", "geometry": square(X0 + 1_000, Y0 + 1_000, 100),
         "demand_points": 12_000.0},
        {"intervention_id": "E2", "name": "Ortsumgehung", "kind": "Straße/Verkehr", "status": "im Verfahren",
         "geometry": square(X0 + 2_000, Y0 + 1_000, 100), "demand_points": 3_000.0},
        {"intervention_id": "E3", "name": "Solarpark", "ags": MACHERN, "kind": "Energie",
         "geometry": square(X0 - 3_000, Y0 + 1_000, 100), "demand_points": 1_000.0},
    ])
    entries = pd.DataFrame(allocations, columns=schema.field_names(schema.ALLOCATIONS)) if allocations \
        else ledger.empty_ledger()
    history = pd.DataFrame({n: pd.Series(dtype=object) for n in schema.field_names(schema.HISTORY)})
    return summary.pool_view(PoolData(boundaries=boundaries, pool_areas=pool, interventions=itv,
                                      allocations=entries.astype({"points": float}), history=history))


def booking(allocation_id: str, intervention_id: str, pool_id: str, points: float, *, kind: str = "zugeordnet",
            reverses: str | None = None, date: str = "2026-03-01") -> dict:
    return {"allocation_id": allocation_id, "intervention_id": intervention_id, "pool_id": pool_id, "kind": kind,
            "points": points, "date": date, "booked_by": "test", "notes": "", "reverses": reverses,
            "created_at": f"{date}T09:00:00"}


BOOKINGS = [
    booking("B-1", "E1", "M1", 9_000.0),
    booking("B-2", "E1", "W1", 2_000.0, kind="reserviert"),
    booking("B-3", "E2", "W1", 1_000.0),
    booking("B-4", "E2", "W1", -1_000.0, reverses="B-3", date="2026-03-05"),
]
