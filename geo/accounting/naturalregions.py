"""Natural regions (*Naturräume*, BNatSchG § 15 Abs. 2): replacement should lie in the intervention's
natural region. Which region each area and intervention lies in, the layer an administrator uploads,
and the bookings that cross a region's border."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.access.permissions import User, require_admin
from geo.accounting import ledger
from geo.errors import DataError
from geo.schema import PoolData
from geo.store import Store, history_entry
from geo.upload import ingest


def region_of(frame: gpd.GeoDataFrame, regions: gpd.GeoDataFrame | None) -> pd.Series:
    """Per row: the name of the natural region its representative point lies in (None outside all)."""
    out = pd.Series(None, index=frame.index, dtype=object, name="natural_region")
    if regions is None or regions.empty or frame.empty:
        return out
    points = shapely.point_on_surface(frame.to_crs(schema.CRS).geometry.to_numpy())
    rows, hits = shapely.STRtree(regions.to_crs(schema.CRS).geometry.to_numpy()).query(points, predicate="within")
    first = pd.Series(hits, index=rows).groupby(level=0).min()
    out.iloc[first.index.to_numpy()] = regions["name"].astype(str).to_numpy()[first.to_numpy()]
    return out


def outside(candidates: pd.DataFrame, intervention: pd.Series) -> np.ndarray:
    """Per candidate: True where both regions are known and differ from *intervention*'s."""
    if "natural_region" not in candidates.columns or pd.isna(intervention.get("natural_region")):
        return np.zeros(len(candidates), dtype=bool)
    regions = candidates["natural_region"]
    return np.asarray(regions.notna() & (regions != intervention["natural_region"]), dtype=bool)


def across(allocations: pd.DataFrame, pool: pd.DataFrame, interventions: pd.DataFrame) -> pd.DataFrame:
    """Active bookings whose area lies in another natural region than their intervention, with
    ``pool_region`` and ``intervention_region`` (empty without regions)."""
    active = ledger.active_entries(allocations).copy()
    if "natural_region" not in pool.columns:
        return active.iloc[:0].assign(pool_region=None, intervention_region=None)
    active["pool_region"] = active["pool_id"].map(pool.drop_duplicates("pool_id").set_index("pool_id")
                                                  ["natural_region"])
    active["intervention_region"] = active["intervention_id"].map(
        interventions.drop_duplicates("intervention_id").set_index("intervention_id")["natural_region"])
    known = active["pool_region"].notna() & active["intervention_region"].notna()
    return active[known & (active["pool_region"] != active["intervention_region"])].reset_index(drop=True)


def checked(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """An uploaded natural-region layer in the stored form (``region_id``, ``name``, ``notes``, polygons
    in EPSG:25833); :class:`DataError` in German when it cannot be one."""
    if frame.crs is None:
        raise DataError("Die Naturräume haben kein Koordinatenbezugssystem.")
    if "name" not in frame.columns:
        raise DataError("Die Naturräume brauchen eine Spalte „name“ (Name des Naturraums).")
    names = frame["name"].astype(str).str.strip()
    if (names == "").any() or frame["name"].isna().any():
        raise DataError("Jeder Naturraum braucht einen Namen.")
    kinds = set(frame.geometry.geom_type.dropna())
    if not kinds or not kinds <= {"Polygon", "MultiPolygon"}:
        raise DataError("Naturräume müssen Flächen (Polygone) sein.")
    ids = frame["region_id"].astype(str) if "region_id" in frame.columns else pd.Series(
        [f"N{i + 1:02d}" for i in range(len(frame))], index=frame.index)
    if ids.duplicated().any():
        raise DataError(f"region_id doppelt: {', '.join(sorted(set(ids[ids.duplicated()])))}.")
    notes = frame["notes"].fillna("").astype(str) if "notes" in frame.columns else ""
    return gpd.GeoDataFrame({"region_id": ids.to_numpy(), "name": names.to_numpy(),
                             "notes": pd.Series(notes, index=frame.index).to_numpy()},
                            geometry=frame.to_crs(schema.CRS).geometry.make_valid().to_numpy(), crs=schema.CRS)


def read_upload(files: list[ingest.UploadedFile]) -> gpd.GeoDataFrame:
    """The natural regions of an uploaded file (any format the upload page reads), checked as the
    upload page checks its files first (size, type, zip members)."""
    return checked(ingest.read_source(ingest.open_upload(files)))


def publish(store: Store, user: User | None, frame: gpd.GeoDataFrame, *, source: str = "") -> pd.DataFrame:
    """Replace the natural-region layer (administrators only); returns the history row."""
    admin = require_admin(user, "Naturräume hochladen")
    regions = checked(frame)

    def plan(state: PoolData) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
        before = 0 if state.natural_regions is None else len(state.natural_regions)
        return regions, history_entry(user=admin.username, layer=schema.NATURAL_REGIONS, action="regions",
                                      source=source, added=len(regions), removed=before,
                                      notes=f"{len(regions)} Naturräume statt bisher {before}")

    return store.publish_natural_regions(plan)
