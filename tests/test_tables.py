"""German number columns stay right-aligned although they are formatted text."""

import pandas as pd

from geo import fmt
from geo.display.tables import EXCEL_FORMATS, FORMATTERS, columns, german_table, text_rows
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


def test_one_column_spec_renders_pages_and_print_alike():
    frame = pd.DataFrame({"name": ["Am Wald", None], "free": [12_345.4, 0.0], "share": [0.25, 1.0]},
                         index=[7, 3])
    cols = columns(("name", "Flurname", "text"), ("free", "Frei (WP)", "points"), ("share", "Anteil", "share"))
    table = german_table(frame, cols)
    assert table.to_dict("list") == {"Flurname": ["Am Wald", ""], "Frei (WP)": ["12.345", "0"],
                                     "Anteil": ["25\u00a0%", "100\u00a0%"]}
    assert list(table.index) == [0, 1]
    assert text_rows(frame, cols) == [["Am Wald", "12.345", "25\u00a0%"], ["", "0", "100\u00a0%"]]
    assert sorted(number_columns(table)) == ["Anteil", "Frei (WP)"]
    assert [c.is_text for c in cols] == [True, False, False]
    assert set(EXCEL_FORMATS) <= set(FORMATTERS)
