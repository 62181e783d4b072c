"""The council slide deck (python-pptx): editable native charts, a static map, tables.

Slides: title (scope and date), key figures, one native chart per
:func:`geo.reports.charts.specs`, the map, the top open interventions and one table per
municipality. Every number comes from :class:`geo.accounting.summary.Report`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import cast

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.presentation import Presentation as Deck
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.table import _Cell
from pptx.util import Emu, Inches, Pt

from geo import schema
from geo.accounting import summary
from geo.display.tables import Column, text_rows
from geo.reports import charts, content, slides, staticmap

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
INK, MUTED, ACCENT = RGBColor(0x22, 0x22, 0x22), RGBColor(0x55, 0x55, 0x55), RGBColor(0x2B, 0x7A, 0x3D)
NUMBER_FORMATS = {"ha": "#,##0.0", "count": "#,##0", "points": "#,##0"}
AXIS_FORMATS = {"ha": "#,##0", "count": "#,##0", "points": "#,##0"}
MILLIONS_FORMAT = '#,##0.0,," Mio.";-#,##0.0,," Mio.";0'
CHART_TYPES = {(True, True): XL_CHART_TYPE.BAR_STACKED, (True, False): XL_CHART_TYPE.BAR_CLUSTERED,
               (False, True): XL_CHART_TYPE.COLUMN_STACKED, (False, False): XL_CHART_TYPE.COLUMN_CLUSTERED}


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _textbox(slide: Slide, left: int, top: int, width: int, height: int, text: str, *, size: int, bold: bool = False,
             color: RGBColor = INK, align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    frame = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height)).text_frame
    frame.word_wrap = True
    para = frame.paragraphs[0]
    para.alignment = align
    run = para.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color


def _notes(slide: Slide, text: str) -> None:
    """The speaker notes of *slide* (PowerPoint's notes pane, the presenter view)."""
    frame = slide.notes_slide.notes_text_frame
    assert frame is not None, "the default notes master has a body placeholder"
    frame.text = text


def _slide(deck: Deck, title: str, footer: str) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _textbox(slide, MARGIN, Inches(0.35), WIDTH - 2 * MARGIN, Inches(0.8), title, size=30, bold=True)
    _textbox(slide, MARGIN, HEIGHT - Inches(0.45), WIDTH - 2 * MARGIN, Inches(0.3), footer, size=10, color=MUTED)
    _textbox(slide, WIDTH - MARGIN - Inches(1.0), HEIGHT - Inches(0.45), Inches(1.0), Inches(0.3),
          str(len(deck.slides)), size=10, color=MUTED, align=PP_ALIGN.RIGHT)
    return slide


def _title_slide(deck: Deck, report: summary.Report, on: dt.date) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.3), WIDTH, Inches(0.12))
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    _textbox(slide, MARGIN, Inches(1.0), WIDTH - 2 * MARGIN, Inches(1.0), content.TITLE, size=40, bold=True)
    _textbox(slide, MARGIN, Inches(2.6), WIDTH - 2 * MARGIN, Inches(0.8), content.scope_label(report.scope), size=32)
    _textbox(slide, MARGIN, Inches(3.5), WIDTH - 2 * MARGIN, Inches(0.6), content.stand(on), size=24, color=MUTED)
    _textbox(slide, MARGIN, Inches(4.5), WIDTH - 2 * MARGIN, Inches(1.2), content.scope_note(report.scope), size=14,
          color=MUTED)
    _textbox(slide, MARGIN, HEIGHT - Inches(1.3), WIDTH - 2 * MARGIN, Inches(0.9),
             f"{content.AUDIENCE_NOTE} {schema.DEMO_NOTICE}", size=14, color=MUTED)


def _key_figures_slide(deck: Deck, report: summary.Report, footer: str) -> None:
    slide = _slide(deck, "Auf einen Blick", footer)
    figures = content.report_figures(report)
    _notes(slide, f"{slides.figure_notes(figures)} {content.scope_note(report.scope)}")
    box_w, box_h = (WIDTH - 2 * MARGIN - Inches(0.4)) // 2, Inches(1.75)
    for i, figure in enumerate(figures):
        left = MARGIN + (i % 2) * (box_w + Inches(0.4))
        top = Inches(1.3) + (i // 2) * box_h
        _textbox(slide, left, top, box_w, Inches(0.4), figure.label, size=18, color=MUTED)
        _textbox(slide, left, top + Inches(0.35), box_w, Inches(0.9), figure.value, size=44, bold=True, color=ACCENT)
        _textbox(slide, left, top + Inches(1.15), box_w, Inches(0.5),
                 f"{figure.note} · {figure.delta}" if figure.delta else figure.note, size=14, color=MUTED)


def _chart_slide(deck: Deck, spec: charts.ChartSpec, footer: str) -> None:
    slide = _slide(deck, spec.title, footer)
    _notes(slide, f"{charts.describe(spec)} {spec.note}")
    _textbox(slide, MARGIN, Inches(6.3), WIDTH - 2 * MARGIN, Inches(0.6), spec.note, size=14, color=MUTED)
    if spec.empty():  # PowerPoint can't draw a chart without categories
        _textbox(slide, MARGIN, Inches(1.5), WIDTH - 2 * MARGIN, Inches(1.0), charts.EMPTY_NOTE, size=28)
        return
    # PowerPoint draws a bar chart's first category at the bottom: hand it the rows reversed
    # so that slides read top-down like the page.
    order = slice(None, None, -1) if spec.horizontal else slice(None)
    data = CategoryChartData(number_format=NUMBER_FORMATS[spec.unit])
    data.categories = spec.categories()[order]
    # Clustered bars stack their series bottom-up as well.
    drawn_series = spec.series[::-1] if spec.horizontal and not spec.stacked else spec.series
    for series in drawn_series:
        data.add_series(series.label, spec.values(series)[order])
    # python-pptx's hints are off here: add_chart takes any CategoryChartData (the hint names its
    # ChartData alias) and returns the GraphicFrame that holds the chart (the hint says Chart).
    frame = cast(GraphicFrame, slide.shapes.add_chart(
        CHART_TYPES[(spec.horizontal, spec.stacked)], MARGIN, Inches(1.2), Emu(WIDTH - 2 * MARGIN), Inches(5.0),
        data))  # type: ignore[arg-type]
    chart = frame.chart
    chart.font.size = Pt(16)
    chart.has_title = False
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    value_axis = chart.value_axis
    value_axis.tick_labels.number_format, value_axis.tick_labels.number_format_is_linked = (
        MILLIONS_FORMAT if spec.in_millions() else AXIS_FORMATS[spec.unit], False)
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = spec.value_title
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xD9, 0xD9, 0xD9)
    plot = chart.plots[0]
    plot.gap_width = 60
    if spec.stacked:
        plot.overlap = 100
    for series, drawn in zip(drawn_series, plot.series, strict=True):
        drawn.format.fill.solid()
        drawn.format.fill.fore_color.rgb = _rgb(series.color)
        drawn.format.line.color.rgb = _rgb(charts.OUTLINE)
        drawn.format.line.width = Pt(0.5)
    if spec.labels:
        plot.has_data_labels = True
        labels = plot.data_labels
        plain = NUMBER_FORMATS[spec.unit]
        shown = MILLIONS_FORMAT.rsplit(";", 1)[0] if spec.in_millions() else f"{plain};-{plain}"
        # The empty third section hides zeros (a status chart holds one bar per row, zeros beside it).
        labels.number_format, labels.number_format_is_linked = f"{shown};;", False
        labels.font.size = Pt(14)


def _map_slide(deck: Deck, report: summary.Report, context: summary.PoolView | None, footer: str) -> None:
    slide = _slide(deck, slides.MAP_TITLE, footer)
    _notes(slide, slides.map_notes(report))
    image = staticmap.render(report.view, context, width_in=12.0, height_in=5.9)
    slide.shapes.add_picture(io.BytesIO(image), MARGIN, Inches(1.1), width=Inches(12.0))


def _table_slide(deck: Deck, title: str, note: str, columns: tuple[Column, ...], rows: list[list[str]],
                 footer: str) -> None:
    slide = _slide(deck, title, footer)
    _notes(slide, f"{title}. {note}" if note else f"{title}: {len(rows)} Zeilen, wie in der Tabelle auf der Seite.")
    if note:
        _textbox(slide, MARGIN, Inches(1.05), WIDTH - 2 * MARGIN, Inches(0.5), note, size=16, color=MUTED)
    row_h = Inches(0.42)
    shape = slide.shapes.add_table(len(rows) + 1, len(columns), MARGIN, Inches(1.7), Emu(WIDTH - 2 * MARGIN),
                                   Emu(row_h * (len(rows) + 1)))
    table = shape.table
    weights = content.column_weights(columns, rows)
    for j, weight in enumerate(weights):
        table.columns[j].width = Emu(int((WIDTH - 2 * MARGIN) * weight / sum(weights)))
    size = 12 if len(columns) <= WIDE_TABLE else 9  # a partner-by-partner matrix has eleven columns
    for j, column in enumerate(columns):
        _cell(table.cell(0, j), column.header, column, size=size + 1, header=True)
        for i, row in enumerate(rows, start=1):
            _cell(table.cell(i, j), row[j], column, size=size, header=False)


WIDE_TABLE = 8
"""Tables with more columns get smaller type and narrow cell margins, so that no number breaks."""


def _cell(cell: _Cell, text: str, column: Column, *, size: int, header: bool) -> None:
    cell.text = text
    if size < 12:
        cell.margin_left = cell.margin_right = Inches(0.04)
    para = cell.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT if column.is_text else PP_ALIGN.RIGHT
    para.runs[0].font.size = Pt(size)
    para.runs[0].font.bold = header


def build(report: summary.Report, *, on: dt.date, context: summary.PoolView | None = None) -> bytes:
    """The slide deck as PPTX bytes; *context* (all partners) greys in the neighbours on the map."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title, deck.core_properties.subject = content.TITLE, content.AUDIENCE_NOTE
    footer = f"{content.TITLE} · {content.scope_label(report.scope)} · {content.stand(on)}"
    _title_slide(deck, report, on)
    _key_figures_slide(deck, report, footer)
    for spec in charts.specs(report):
        _chart_slide(deck, spec, footer)
    _map_slide(deck, report, context, footer)
    _table_slide(deck, "Nach Gemeinde", "", content.MUNICIPALITY_COLUMNS,
                 text_rows(content.municipality_rows(report), content.MUNICIPALITY_COLUMNS), footer)
    if len(report.climate):
        columns, rows = content.climate_rows(report)
        _table_slide(deck, content.CLIMATE_TITLE, content.CLIMATE_NOTE, columns, text_rows(rows, columns), footer)
    figures = " · ".join(f"{f.label}: {f.value}" for f in content.flow_figures(report))
    for flow in content.flow_tables(report):
        _table_slide(deck, f"{content.FLOWS_TITLE}: {flow.title}", f"{figures}. {flow.note}", flow.columns,
                     text_rows(flow.rows, flow.columns), footer)
    _table_slide(deck, "Eingriffe mit dem größten offenen Bedarf", "", content.TOP_OPEN_COLUMNS,
                 text_rows(report.top_open, content.TOP_OPEN_COLUMNS), footer)
    for ags, table in report.measures_by_municipality.items():
        columns, rows = content.breakdown_rows(table, content.MEASURE_TYPE_COLUMN)
        _table_slide(deck, f"{schema.AGS_NAMES[ags]}: Poolflächen nach Maßnahmentyp",
                     content.municipality_note(report, ags), columns, text_rows(rows, columns), footer)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
