import datetime as dt
import math

import pandas as pd

from geo import fmt


def test_numbers_use_german_separators():
    assert fmt.number(1234.5, 1) == "1.234,5"
    assert fmt.number(1234567) == "1.234.567"
    assert fmt.number(0.25, 2) == "0,25"
    assert fmt.number(None) == "–"
    assert fmt.number(math.nan) == "–"


def test_area_is_given_in_hectares():
    assert fmt.hectares(12_345_000) == "1.234,5\u00a0ha"
    assert fmt.hectares(2_000, 2) == "0,20\u00a0ha"


def test_points_are_whole_and_grouped():
    assert fmt.points(12_345.4) == "12.345\u00a0WP"
    assert fmt.points(-3_824_445) == "-3.824.445\u00a0WP"


def test_dates_are_day_month_year():
    assert fmt.date(dt.date(2026, 11, 24)) == "24.11.2026"
    assert fmt.date("2026-11-24") == "24.11.2026"
    assert fmt.date(pd.NaT) == "–"
    assert fmt.date("kein Datum") == "–"



def test_times_are_shown_in_berlin_and_stored_with_their_offset():
    assert fmt.timestamp("2026-11-29T10:38:00+01:00") == "29.11.2026, 10:38"
    assert fmt.timestamp("2026-07-01T10:38:00+02:00") == "01.07.2026, 10:38"
    assert fmt.timestamp("2026-11-29T09:38:00+00:00") == "29.11.2026, 10:38"
    assert fmt.timestamp("2026-11-29T08:38:00") == "29.11.2026, 09:38"  # legacy rows: server time, UTC
    assert fmt.iso(dt.datetime(2026, 11, 29, 10, 38)) == "2026-11-29T10:38:00+01:00"
    assert fmt.iso(dt.datetime(2026, 11, 29, 9, 38, tzinfo=dt.UTC)) == "2026-11-29T10:38:00+01:00"
    assert fmt.iso().endswith(("+01:00", "+02:00"))
    order = fmt.instants(pd.Series(["2026-11-29T10:38:00+01:00", "2026-11-29T09:00:00"]))
    assert order.iloc[0] > order.iloc[1]  # 09:38 UTC is after 09:00 UTC


def test_data_text_is_escaped_for_markdown_elements():
    wj = fmt.WORD_JOINER
    assert fmt.literal("![x](http://evil.example/p.png)") == f"!\\[x\\](http\\:{wj}//evil.example/p.png)"
    assert fmt.literal("<img src=x> **fett** `code` $x$ :smile: www.a.de a@b.de") == (
        f"\\<img src=x\\> \\*\\*fett\\*\\* \\`code\\` \\$x\\$ \\:smile: www{wj}.a.de a{wj}@b.de")
    assert fmt.literal("- Liste") == "\\- Liste" and fmt.literal("1. eins") == "1\\. eins"
    assert fmt.literal("Am Bach (Teil 2): 12.500 WP\nzweite Zeile") == "Am Bach (Teil 2): 12.500 WP zweite Zeile"
