"""The report's words and tables in German, shared by the page, the slides and the PDF.

Numbers come from :class:`geo.accounting.summary.Report`; this module only names and formats them,
so the page, the PPTX and the PDF show the same figures in the same words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo import fmt, schema
from geo.access import privacy
from geo.accounting import flows, summary, valuation
from geo.display.tables import Column, Kind, columns

TITLE = "Flächenpool Leipzig & Wurzener Land"
SUBTITLE = "Übersicht & Berichte"
AUDIENCE_NOTE = f"Öffentliche Fassung für Rat, Partner und Öffentlichkeit. {privacy.EXPORT_NOTICE}"
"""What every council report and download says about its readers and personal data."""

BREAKDOWN_COLUMNS = columns(("pool_count", "Flächen", "count"), ("area_ha", "Fläche (ha)", "ha"),
                            ("value_points", "Wertpunkte", "points"), ("free_points", "Frei (WP)", "points"))
STATUS_COLUMN = Column("status", "Status", "text")
MEASURE_TYPE_COLUMN = Column("measure_type", "Maßnahmentyp", "text")
"""First columns of the breakdowns by status and by measure type (see :func:`breakdown_rows`)."""
MUNICIPALITY_COLUMNS = columns(
    ("municipality", "Gemeinde", "text"), ("pool_count", "Flächen", "count"), ("area_ha", "Fläche (ha)", "ha"),
    ("value_points", "Wertpunkte", "points"), ("free_points", "Frei (WP)", "points"),
    ("open_points", "Offener Bedarf (WP)", "points"), ("balance", "Bilanz (WP)", "points"))
TOP_OPEN_COLUMNS = columns(
    ("intervention_id", "Eingriffs-ID", "text"), ("name", "Bezeichnung", "text"), ("municipality", "Gemeinde", "text"),
    ("status", "Status", "text"), ("demand_points", "Bedarf (WP)", "points"),
    ("open_points", "Offen (WP)", "points"), ("coverage_share", "Deckungsgrad", "share"))
DEVELOPMENT_COLUMNS = columns(
    ("year", "Jahr", "text"), ("measures_started", "Maßnahmen begonnen", "count"),
    ("measures_completed", "Maßnahmen abgeschlossen", "count"),
    ("measures_planned", "Abschluss geplant", "count"), ("booked_points", "Gebuchte Wertpunkte (netto)", "points"))


def municipality_rows(report: summary.Report) -> pd.DataFrame:
    """:attr:`Report.municipalities` with hectares, for :data:`MUNICIPALITY_COLUMNS`."""
    table = report.municipalities
    return table.assign(area_ha=table["area_m2"] / fmt.M2_PER_HA)


_MODEL_FIGURES = (("free_points", "Frei"), ("open_points", "Offener Bedarf"), ("balance", "Bilanz"))


def model_rows(table: pd.DataFrame) -> tuple[tuple[Column, ...], pd.DataFrame]:
    """:func:`geo.accounting.summary.by_model`'s table flattened, with German headers per model
    (``Bilanz Sächsisches Modell (WP)``)."""
    flat = pd.DataFrame({"municipality": table[("", "municipality")]}, index=table.index)
    cols = [Column("municipality", "Gemeinde", "text")]
    for model in dict.fromkeys(str(column[0]) for column in table.columns if column[0]):
        for key, word in _MODEL_FIGURES:
            flat[f"{key}_{model}"] = table[(model, key)]
            cols.append(Column(f"{key}_{model}", f"{word} {valuation.model_label(model)} (WP)", "points"))
    return tuple(cols), flat


def models_note(agreed: str) -> str:
    """What the table of :func:`model_rows` means."""
    return (f"Jede Gemeinde bilanziert in ihrem eigenen Modell; über Gemeindegrenzen gilt das gemeinsame Modell "
            f"({valuation.model_label(agreed)}). Die Zeile „Gesamt“ im gemeinsamen Modell ist die Bilanz der "
            "Partnerschaft in einer Währung.")


CLIMATE_TITLE = "Klimabilanz neben den Wertpunkten"
CLIMATE_NOTE = ("Klima: Fläche in ha × Klimafaktor je Maßnahmentyp bzw. Eingriffsart (t CO₂ je Jahr; gespeichert "
                "durch Poolflächen, freigesetzt durch Eingriffe). Die Faktoren der Demo sind illustrativ, nicht "
                "amtlich (Tabelle, Quelle und Stand auf der Seite „Bewertungsmodelle“).")


def climate_rows(report: summary.Report) -> tuple[tuple[Column, ...], pd.DataFrame]:
    """:attr:`Report.climate` with its German columns (the agreed model's balance only where valued)."""
    table = report.climate
    cols = [Column("municipality", "Gemeinde", "text"), Column("balance", "Bilanz eigenes Modell (WP)", "points")]
    if "agreed_balance" in table.columns:
        cols.append(Column("agreed_balance", "Bilanz gemeinsames Modell (WP)", "points"))
    cols += [Column("stored_t", "Klima gespeichert (t CO₂/Jahr)", "decimal1"),
             Column("released_t", "Klima freigesetzt (t CO₂/Jahr)", "decimal1"),
             Column("balance_t", "Klimabilanz (t CO₂/Jahr)", "decimal1")]
    return tuple(cols), table


def climate_figures(report: summary.Report) -> list[KeyFigure]:
    """The selection's points balance (own and agreed model) beside its climate balance."""
    totals = report.climate.drop(columns="municipality").loc["gesamt"].to_dict()

    def total(column: str) -> float:
        return float(totals[column])

    figures = [KeyFigure("Bilanz (eigene Modelle)", fmt.points_short(total("balance")),
                         "freie Wertpunkte minus offener Bedarf, jede Gemeinde in ihrem Modell")]
    if "agreed_balance" in report.climate.columns:
        figures.append(KeyFigure("Bilanz (gemeinsames Modell)", fmt.points_short(total("agreed_balance")),
                                 "alle Gemeinden im gemeinsamen Bewertungsmodell"))
    figures.append(KeyFigure("Klimabilanz", f"{fmt.number(total('balance_t'))} t CO₂/Jahr",
                             "gespeichert durch Poolflächen minus freigesetzt durch Eingriffe"))
    return figures


ACROSS_REGION_COLUMNS = columns(
    ("allocation_id", "Buchung", "text"), ("intervention_id", "Eingriff", "text"),
    ("intervention_region", "Naturraum des Eingriffs", "text"), ("pool_id", "Poolfläche", "text"),
    ("pool_region", "Naturraum der Fläche", "text"), ("kind", "Art", "text"), ("points", "Wertpunkte", "points"),
    ("date", "Datum", "date"))


def regions_note(report: summary.Report) -> str:
    """One sentence on the bookings across natural regions (BNatSchG § 15 Abs. 2)."""
    rows = report.across_regions
    verb = "liegt" if len(rows) == 1 else "liegen"
    return (f"{fmt.count(len(rows), 'Buchung', 'Buchungen')} mit {fmt.points(rows['points'].sum())} {verb} nicht im "
            "Naturraum ihres Eingriffs; Ersatz soll im selben Naturraum liegen (§ 15 Abs. 2 BNatSchG).")


def breakdown_rows(table: pd.DataFrame, first: Column) -> tuple[tuple[Column, ...], pd.DataFrame]:
    """A breakdown (index = group) with its index as first column *first*."""
    return (first, *BREAKDOWN_COLUMNS), table.rename_axis(first.name).reset_index()


def column_weights(cols: tuple[Column, ...], rows: list[list[str]]) -> list[int]:
    """Relative widths of a printed table's columns: its longest cell or header word, in
    characters (bold header words count a fifth wider plus one, so that they never break),
    at least 8 and at most 34."""
    return [min(max(8, *(round(len(word) * 1.2) + 1 for word in column.header.split()),
                    *(len(row[j]) for row in rows)), 34) for j, column in enumerate(cols)]


def scope_label(scope: summary.Scope) -> str:
    """``"Leipzig und Wurzen, 2020–2026"``; all partners → ``"alle Partner"``."""
    if not scope.ags or set(scope.ags) >= set(schema.AGS_NAMES):
        who = "Alle Partner"
    else:
        names = [m.name for m in schema.MUNICIPALITIES if m.ags in scope.ags]
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]
    what = f" · {', '.join(scope.measure_types)}" if scope.measure_types else ""
    return (f"{who}, {_years(scope.years)}" if scope.years else who) + what


def years_label(scope: summary.Scope) -> str:
    """The scope's year range as people write it (``"2020–2026"``); empty without one."""
    return _years(scope.years) if scope.years else ""


def _years(years: tuple[int, int]) -> str:
    """``"2020–2026"``; one year alone: ``"2030"``."""
    first, last = years
    return str(first) if first == last else f"{first}–{last}"


def scope_note(scope: summary.Scope) -> str:
    """What the figures count, in German: today's figures, and how the year range selects."""
    today = ("Kennzahlen, „Angebot und Bedarf“, die Tabelle nach Gemeinde und der offene Bedarf: heutiger Stand "
             "aller Poolflächen und Eingriffe der gewählten Gemeinden, unabhängig vom Zeitraum.")
    if not scope.years:
        return today
    return (f"{today} Der Zeitraum {_years(scope.years)} wählt für die übrigen Diagramme aus: Poolflächen mit "
            "Maßnahmen in diesem Zeitraum, Eingriffe mit Genehmigung in diesem Zeitraum oder noch ohne "
            "Genehmigung, Buchungen mit Datum in diesem Zeitraum.")


def period_note(report: summary.Report) -> str:
    """One German sentence of what the year range holds (empty without a year range)."""
    if not report.scope.years:
        return ""
    head = report.period
    return (f"Im Zeitraum {_years(report.scope.years)}: {fmt.number(head.pool_count)} Poolflächen mit Maßnahmen "
            f"({fmt.hectares(head.pool_area_m2)}, {fmt.points_short(head.value_points)}) und "
            f"{fmt.number(head.intervention_count)} Eingriffe (genehmigt im Zeitraum oder noch ohne Genehmigung).")


def signed_points(value: float) -> str:
    """``+1,2 Mio. WP``, ``-500 WP`` (the hyphen-minus of :mod:`geo.fmt`'s negative numbers), ``±0 WP``."""
    if round(value) == 0:
        return "±0\u00a0WP"
    return ("+" if value > 0 else "") + fmt.points_short(value)


def stand(on: dt.date) -> str:
    return f"Stand: {fmt.date(on)}"


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    note: str
    delta: str = ""
    """The change since an earlier date (``"+1,2 Mio. WP seit 01.10.2026"``); empty without one."""


def key_figures(head: summary.Headline, earlier: summary.Headline | None = None,
                since: dt.date | None = None) -> list[KeyFigure]:
    """The headline figures, one statement each, as the page, slides and PDF show them; with
    *earlier* (the figures as of *since*) each value-point figure says how it changed since."""
    diff = summary.change(head, earlier) if earlier is not None else None

    def delta(name: str) -> str:
        return f"{signed_points(getattr(diff, name))} seit {fmt.date(since)}" if diff is not None else ""

    return [
        KeyFigure("Poolflächen", fmt.number(head.pool_count), "Kompensationsflächen im Pool"),
        KeyFigure("Fläche", fmt.hectares(head.pool_area_m2), "Fläche aller Poolflächen"),
        KeyFigure("Wertpunkte", fmt.points_short(head.value_points), "Aufwertung aller Poolflächen"),
        KeyFigure("Freie Wertpunkte", fmt.points_short(head.free_points),
                  "Aufwertung abzüglich Reservierungen und Zuordnungen", delta("free_points")),
        KeyFigure("Offener Bedarf", fmt.points_short(head.open_points),
                  f"noch nicht gedeckter Bedarf von {fmt.number(head.intervention_count)} Eingriffen",
                  delta("open_points")),
        KeyFigure("Bilanz", fmt.points_short(head.balance), "freie Wertpunkte minus offener Bedarf",
                  delta("balance")),
    ]


def report_figures(report: summary.Report) -> list[KeyFigure]:
    """:func:`key_figures` of *report* (today's, with the change since its scope's date)."""
    return key_figures(report.headline, report.earlier, report.scope.since)


def municipality_note(report: summary.Report, ags: str) -> str:
    """One line of a municipality's headline figures (for its table slide/page)."""
    row = report.municipalities.loc[ags]
    assert isinstance(row, pd.Series), "one row per municipality"
    return (f"{fmt.number(row['pool_count'])} Poolflächen · {fmt.hectares(row['area_m2'])} · "
            f"frei {fmt.points_short(row['free_points'])} · offener Bedarf {fmt.points_short(row['open_points'])} · "
            f"Bilanz {fmt.points_short(row['balance'])}")


def file_name(scope: summary.Scope, on: dt.date, suffix: str) -> str:
    """``flaechenpool_leipzig-wurzen_2020-2026_2026-11-24.pdf``."""
    slugs = [m.slug for m in schema.MUNICIPALITIES if m.ags in scope.ags] if scope.ags else ["alle"]
    years = f"_{scope.years[0]}-{scope.years[1]}" if scope.years else ""
    return f"flaechenpool_{'-'.join(slugs)}{years}_{on.isoformat()}.{suffix}"


FLOWS_TITLE = "Ausgleich über Gemeindegrenzen (heute)"


@dataclass(frozen=True)
class FlowTable:
    """One matrix of what moves between the partners, for the page and every export: rows are the
    intervention's municipality, columns the pool area's; empty cells are missing (shown as "–")."""

    title: str
    short: str
    """A name of a few letters (a workbook sheet's)."""
    note: str
    columns: tuple[Column, ...]
    rows: pd.DataFrame


def flow_tables(report: summary.Report) -> list[FlowTable]:
    """The points and (where priced bookings cross a border) the money between the partners of *report*'s scope."""
    out = []
    if len(report.flows):
        out.append(_flow_table("Wertpunkte zwischen den Partnern", "Wertpunkte", "Zeilen: Gemeinde des Eingriffs · Spalten: Gemeinde der "
                               "Poolfläche · Werte: netto gebuchte Wertpunkte in WP (Reservierungen und Zuordnungen, "
                               "Stornos abgezogen).", flows.matrix(report.flows), "points"))
    if len(report.money):
        out.append(_flow_table("Geldflüsse (Verrechnung)", "Euro", "Zeilen: Gemeinde des Eingriffs (zahlt) · Spalten: "
                               "Gemeinde der Poolfläche (erhält) · Werte: Euro für Zuordnungen über Gemeindegrenzen "
                               "zum Preis am Buchungstag, Stornos abgezogen, auf volle Euro gerundet.",
                               flows.matrix(report.money, "amount_eur"), "euro0"))
    return out


def _flow_table(title: str, short: str, note: str, matrix: pd.DataFrame, kind: Kind) -> FlowTable:
    rows = matrix.where(matrix.abs() >= 0.005).rename_axis(index=None, columns=None)
    rows = rows.reset_index(names=flows.ROWS_TITLE)
    return FlowTable(title, short, note, (Column(flows.ROWS_TITLE, flows.ROWS_TITLE, "text"),
                                   *(Column(name, name, kind) for name in matrix.columns)), rows)


def flow_figures(report: summary.Report) -> list[KeyFigure]:
    """The share of the booked points that crosses a border and the euros settled for it."""
    if report.flows.empty:
        return []
    return [KeyFigure("Über Gemeindegrenzen gebucht", fmt.percent(flows.cross_border_share(report.flows)),
                      "Anteil der netto gebuchten Wertpunkte, deren Poolfläche in einer anderen Gemeinde liegt "
                      "als der Eingriff"),
            KeyFigure("Verrechnet über Gemeindegrenzen", fmt.euro(float(report.money["amount_eur"].sum())),
                      "Euro für Zuordnungen über Gemeindegrenzen zum Preis am Buchungstag, Stornos abgezogen")]
