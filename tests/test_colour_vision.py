"""Colours that carry meaning stay apart for the common colour-vision deficiencies.

Each colour is simulated for protanopia, deuteranopia and tritanopia with the matrices of Machado,
Oliveira & Fernandes (2009, severity 1, applied to linear sRGB) and compared in CIELAB (D65):
every pair must differ by ΔE*ab ≥ :data:`MIN_DELTA_E`, for normal vision too. The map legend and
the charts name every colour in words as well (legend text, value labels, the tables below).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from geo import schema
from geo.reports import charts

MACHADO_2009 = {
    "Protanopie": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "Deuteranopie": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "Tritanopie": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "normal": np.eye(3).tolist(),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
MIN_DELTA_E = 20.0
"""Well apart for filled areas and bars side by side (a just noticeable difference is about 2,3)."""


def linear(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ np.clip(rgb_linear, 0, 1) / WHITE_D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours: dict[str, str], vision: str) -> tuple[float, str, str]:
    seen = {name: lab(np.array(MACHADO_2009[vision]) @ linear(c)) for name, c in colours.items()}
    return min((float(np.linalg.norm(seen[a] - seen[b])), a, b) for a, b in itertools.combinations(seen, 2))


def test_the_simulation_matches_the_published_behaviour():
    """Red loses its redness (CIELAB a*) for protans and deutans, not for tritans; red and green merge
    for deutans; blue and green come close for tritans only."""
    for vision, redness in (("Protanopie", False), ("Deuteranopie", False), ("Tritanopie", True), ("normal", True)):
        a_star = lab(np.array(MACHADO_2009[vision]) @ linear("#ff0000"))[1]
        assert (a_star > 60) if redness else (abs(a_star) < 10), (vision, a_star)
    assert closest_pair({"rot": "#d62728", "grün": "#2ca02c"}, "Deuteranopie")[0] < 10
    blue_green = {"blau": "#1f77b4", "grün": "#2ca02c"}
    assert closest_pair(blue_green, "Tritanopie")[0] < 20 < 80 < closest_pair(blue_green, "Deuteranopie")[0]


@pytest.mark.parametrize("vision", list(MACHADO_2009))
def test_pool_status_colours_stay_apart(vision):
    delta, a, b = closest_pair(schema.POOL_STATUS_COLORS, vision)
    assert delta >= MIN_DELTA_E, f"{vision}: {a} und {b} nur ΔE {delta:.1f} auseinander"


@pytest.mark.parametrize("vision", list(MACHADO_2009))
def test_the_series_of_each_chart_stay_apart(vision):
    supply_demand = {"Angebot": charts.SUPPLY_COLOR, "Bedarf": charts.DEMAND_COLOR}
    per_year = {"begonnen": charts.LIGHT, "abgeschlossen": charts.DARK, "geplant": charts.PLANNED}
    for colours in (supply_demand, per_year):
        delta, a, b = closest_pair(colours, vision)
        assert delta >= MIN_DELTA_E, f"{vision}: {a} und {b} nur ΔE {delta:.1f} auseinander"
