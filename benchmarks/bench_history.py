"""Änderungen page: server time per rerun while browsing the history (AppTest, medians).

Run: .venv/bin/python benchmarks/bench_history.py   (on a temporary copy of the demo data)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.testing.v1 import AppTest

from benchmarks.timing import median_ms
from geo import schema
from geo.access.permissions import User
from geo.store.gpkg import GeoPackageStore
from geo.upload import publish
from tests.conftest import REPO, copy_demo_data


def main() -> None:
    data = copy_demo_data(Path(tempfile.mkdtemp()) / "data")
    os.environ["FLAECHENPOOL_DATA"] = str(data)
    store, admin = GeoPackageStore(data), User("admin", "admin")
    pool = store.read_layer(schema.POOL_AREAS, ["brandis"])
    pool.loc[0, "name"] = "Umbenannt"
    publish.publish(store, admin, ags="14729070", layer=schema.POOL_AREAS, frame=pool, source="brandis.gpkg")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["user"] = admin
    at.run()
    at.switch_page("views/aenderungen.py").run()
    print(f"Änderungen, rerun with the newest upload selected: median {median_ms(at.run):.0f} ms over 7")


if __name__ == "__main__":
    main()
