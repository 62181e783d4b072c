"""Council overview: figures, charts, a presentation mode and the report downloads."""

from __future__ import annotations

import streamlit as st

from geo import fmt, schema
from geo.accounting import summary
from geo.display import monitoring
from geo.display.tables import german_table
from geo.reports import charts, content
from ui import data, reports, tables

PRESENTATION_CSS = """<style>
[data-testid="stMetricValue"] { font-size: 4.5rem; line-height: 1.1; }
[data-testid="stMetricLabel"] p { font-size: 2rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.4rem; }
</style>"""
EXPORTS: list[tuple[reports.ExportKind, str, str]] = [
    ("pptx", "Foliensatz (PowerPoint)", ":material/slideshow:"),
    ("pdf", "Bericht (PDF)", ":material/picture_as_pdf:"),
    ("xlsx", "Tabellen (Excel)", ":material/table:"),
    ("gpkg", "Geodaten (GeoPackage)", ":material/map:"),
    ("geojson", "Geodaten (GeoJSON, ZIP)", ":material/data_object:"),
    ("shp", "Geodaten (Shapefile, ZIP)", ":material/folder_zip:"),
]
NAMES = {m.name: m.ags for m in schema.MUNICIPALITIES}

st.title("Übersicht & Berichte")
view = data.view()
first_year, last_year = summary.year_bounds(view)

with st.container(horizontal=True, vertical_alignment="bottom"):
    chosen = st.multiselect("Gemeinden", list(NAMES), key="uebersicht_gemeinden", placeholder="Alle Partner",
                            width=520, select_all=False)
    years = st.slider("Zeitraum", first_year, last_year, (first_year, last_year), key="uebersicht_jahre",
                      width=420)
    presenting = st.toggle("Präsentationsmodus", key="uebersicht_praesentation",
                           help="Große Schrift, eine Aussage je Block: lesbar auch von hinten im Saal")

scope = summary.Scope(ags=tuple(NAMES[n] for n in NAMES if n in chosen), years=(int(years[0]), int(years[1])))
report = reports.report(scope)
specs = charts.specs(report)
figures = content.key_figures(report.headline)
st.header(content.scope_label(scope))
if note := monitoring.overview_note(report.view.pool_areas):
    st.caption(note)


def show_chart(spec: charts.ChartSpec, *, large: bool = False) -> None:
    if spec.empty():
        st.info(f"**{spec.title}**: {charts.EMPTY_NOTE}")
    else:
        st.vega_lite_chart(spec=reports.vega_specs(scope, large=large)[spec.key], width="stretch",
                           height=charts.height(spec, large=large) + (120 if large else 90), theme=None)


if presenting:  # no st.stop(): the sidebar footer (attribution) still follows the page
    st.html(PRESENTATION_CSS)
    for figure in figures:
        with st.container(border=True):
            st.metric(figure.label, figure.value)
            st.caption(figure.note)
    for spec in specs:
        with st.container(border=True):
            show_chart(spec, large=True)
else:
    st.caption(content.scope_note(scope))
    for column, figure in zip(st.columns(3) * 2, figures, strict=True):
        column.metric(figure.label, figure.value, help=figure.note)
    for pair in (specs[i:i + 2] for i in range(0, len(specs), 2)):
        for column, spec in zip(st.columns(2), pair, strict=False):
            with column:
                show_chart(spec)
                st.caption(spec.note)

    st.header("Nach Gemeinde")
    tables.show(german_table(content.municipality_rows(report), content.MUNICIPALITY_COLUMNS))
    st.header("Eingriffe mit dem größten offenen Bedarf")
    if report.top_open.empty:
        st.info("In dieser Auswahl ist kein Bedarf offen.")
    else:
        tables.show(german_table(report.top_open, content.TOP_OPEN_COLUMNS))

    st.header("Berichte herunterladen")
    today = fmt.today()
    partners = list(scope.ags) or [m.ags for m in schema.MUNICIPALITIES]
    pdf_for = st.selectbox("PDF-Bericht für", ["", *partners], format_func=lambda a: schema.AGS_NAMES.get(
        a, "die ganze Auswahl"), placeholder="Bitte wählen …") if len(partners) > 1 else ""
    scopes = {kind: summary.Scope(ags=(pdf_for,), years=scope.years) if kind == "pdf" and pdf_for else scope
              for kind, _, _ in EXPORTS}
    with st.container(horizontal=True):
        for kind, label, icon in EXPORTS:
            st.download_button(label, reports.export(kind, scopes[kind], today), icon=icon,
                               file_name=reports.file_name(kind, scopes[kind], today), mime=reports.MIME[kind],
                               on_click="ignore", key=f"download_{kind}")
    st.caption(f"Foliensatz, Bericht und Tabellen zeigen dieselben Zahlen wie diese Seite ({content.stand(today)}). "
               "Geodaten: die Poolflächen und Eingriffe der Auswahl mit Wertpunkten.")
