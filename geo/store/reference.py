"""Reference data shipped with the app, not kept in the store: the partners' official boundaries.

``data/municipalities_25833.geojson`` (BKG VG250, see ``data/README.md``) is what an uploaded
boundary is compared with and what decides whether uploaded coordinates lie in the pool's area.
It belongs to the code's version, not to the data's, so it is read from the repository once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo import schema
from geo.config import REPO_ROOT

OFFICIAL_BOUNDARIES = REPO_ROOT / "data" / "municipalities_25833.geojson"


@lru_cache(maxsize=2)
def _read(path: Path) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(path)
    return frame.set_crs(schema.CRS, allow_override=True)[["ags", "name", "geometry"]]


def official_boundaries(path: Path = OFFICIAL_BOUNDARIES) -> gpd.GeoDataFrame:
    """The nine official boundaries (``ags``, ``name``, geometry in EPSG:25833); a copy, the cache stays intact."""
    return _read(path).copy()
