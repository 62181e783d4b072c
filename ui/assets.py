"""Leaflet's and MapLibre's own files, served by the app (``/app/static/vendor/…``), never from a CDN.

Leaflet comes from the pinned ``django-js-lib-leaflet`` package, MapLibre GL JS from the npm
package ``maplibre-gl`` (``package-lock.json``; ``make`` runs ``npm ci`` into ``node_modules/``).
Their files are copied into ``static/vendor/`` (gitignored) when missing or different, once per
server process.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from importlib import resources
from pathlib import Path

import streamlit as st

from geo.config import REPO_ROOT

TARGET = REPO_ROOT / "static" / "vendor" / "leaflet"
MAPLIBRE_SOURCE = REPO_ROOT / "node_modules" / "maplibre-gl" / "dist"
MAPLIBRE_TARGET = REPO_ROOT / "static" / "vendor" / "maplibre"
MAPLIBRE_FILES = ("maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css")
"""The ES module, its web worker (found next to the module) and the stylesheet."""
FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png", "images/marker-icon.png",
         "images/marker-icon-2x.png", "images/marker-shadow.png")


def leaflet_source() -> Path:
    return Path(str(resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"))


def sync_leaflet(source: Path, target: Path, files: tuple[str, ...] = FILES) -> list[str]:
    """Copy Leaflet's (or other) *files* from *source* to *target* where missing or different.

    Each file is written to a temporary name and renamed, so a browser never gets half
    a file. Returns the copied relative paths.
    """
    copied = []
    for name in files:
        src, dst = source / name, target / name
        if dst.exists() and filecmp.cmp(src, dst, shallow=False):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
        copied.append(name)
    return copied


@st.cache_resource(show_spinner=False)
def ensure_leaflet() -> list[str]:
    """Make sure the app serves Leaflet (runs once per server process)."""
    return sync_leaflet(leaflet_source(), TARGET)


@st.cache_resource(show_spinner=False)
def ensure_maplibre() -> list[str]:
    """Make sure the app serves MapLibre GL JS (runs once per server process); [] when ``npm ci`` has not run."""
    if not MAPLIBRE_SOURCE.is_dir():
        return []
    return sync_leaflet(MAPLIBRE_SOURCE, MAPLIBRE_TARGET, MAPLIBRE_FILES)
