"""German number columns stay right-aligned although they are formatted text."""

import pandas as pd

from geo import fmt
from ui.tables import number_columns


def test_only_columns_of_german_numbers_are_aligned_right():
    frame = pd.DataFrame({
        "Gemeinde": ["Leipzig", "Wurzen"],
        "Fläche": [fmt.hectares(447_000), fmt.hectares(1_592_000)],
        "Bilanz": [fmt.points(-4_689_660), "–"],
        "Anteil": [fmt.percent(0.25), fmt.percent(1)],
        "Code": ["WLB", "AIN"],
        "Flächen-ID": ["L-2021-014", "WUR-2019-003"],
        "Anzahl": [3, 4],  # a real number column: Streamlit aligns it itself
    })
    config = number_columns(frame)
    assert sorted(config) == ["Anteil", "Bilanz", "Fläche"]
    assert all(c["alignment"] == "right" for c in config.values())
