"""The printable A4 report (fpdf2): the slides' content for the partnership or one municipality.

Key figures, the same charts (Altair → PNG through vl-convert), the static map and the
tables, with the date and "Seite x von y" on every page. Text is set in DejaVu Sans
(Debian's ``fonts-dejavu-core``) so that umlauts and „“ print.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from geo import schema
from geo.accounting import summary
from geo.display.tables import Column, text_rows
from geo.errors import StoreError
from geo.reports import charts, content, staticmap

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
MARGIN = 15.0
INK, MUTED, ACCENT = (34, 34, 34), (85, 85, 85), (43, 122, 61)
HEADER_FILL = (228, 236, 228)
FIGURE_BOX_MM = 27.0
"""Height of a key figure's box: label, value and a note of up to three lines (with the change since)."""
MAP_ASPECT = 0.7
"""Height to width of the map image."""


class Document(FPDF):
    """An A4 page layout with the app's font, headings, paragraphs, tables and a "Seite x von y" footer."""

    def __init__(self, footer_text: str, *, title: str = content.TITLE, subject: str = content.AUDIENCE_NOTE):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            path = FONT_DIR / name
            if not path.exists():
                raise StoreError(f"Die Schrift {name} fehlt ({FONT_DIR}); bitte „fonts-dejavu-core“ installieren.")
            self.add_font(FONT, style, str(path))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(title)
        self.set_creator(content.TITLE)
        self.set_subject(subject)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(MARGIN)
        self.cell(0, 5, f"Seite {self.page_no()} von {{nb}}", align="R")

    def heading(self, text: str, size: int = 15) -> None:
        self.set_font(FONT, "B", size)
        self.set_text_color(*INK)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def paragraph(self, text: str, size: int = 9, color: tuple[int, int, int] = MUTED) -> None:
        self.set_font(FONT, size=size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def ensure_space(self, height: float) -> None:
        if self.will_page_break(height):
            self.add_page()

    def image_block(self, png: bytes, width: float) -> None:
        from PIL import Image

        w, h = Image.open(io.BytesIO(png)).size
        height = width * h / w
        self.ensure_space(height + 4)
        self.image(io.BytesIO(png), x=MARGIN, w=width)
        self.ln(4)

    def table_block(self, columns: tuple[Column, ...], rows: list[list[str]], *, size: int = 8,
                    padding: float = 1.0) -> None:
        self.ensure_space(8 * min(len(rows) + 1, 4))
        self.set_font(FONT, size=size)
        self.set_text_color(*INK)
        weights = content.column_weights(columns, rows)
        align = ["LEFT" if c.is_text else "RIGHT" for c in columns]
        with self.table(col_widths=weights, text_align=align, line_height=size * 0.55, padding=padding,
                        headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL),
                        borders_layout="HORIZONTAL_LINES", first_row_as_headings=True) as table:
            table.row([c.header for c in columns])
            for values in rows:
                table.row(values)
        self.ln(5)


def _key_figures(doc: Document, report: summary.Report) -> None:
    figures = content.report_figures(report)
    width = (doc.epw - 8) / 3
    top = doc.get_y()
    for i, figure in enumerate(figures):
        x, y = MARGIN + (i % 3) * (width + 4), top + (i // 3) * (FIGURE_BOX_MM + 3)
        doc.set_draw_color(200, 200, 200)
        doc.rect(x, y, width, FIGURE_BOX_MM)
        doc.set_xy(x + 3, y + 2)
        doc.set_font(FONT, size=9)
        doc.set_text_color(*MUTED)
        doc.cell(width - 6, 5, figure.label)
        doc.set_xy(x + 3, y + 7.5)
        doc.set_font(FONT, "B", 17)
        doc.set_text_color(*ACCENT)
        doc.cell(width - 6, 8, figure.value)
        doc.set_xy(x + 3, y + 16.5)
        doc.set_font(FONT, size=7)
        doc.set_text_color(*MUTED)
        doc.multi_cell(width - 6, 3.2, f"{figure.note} · {figure.delta}" if figure.delta else figure.note,
                       align="L")
    doc.set_xy(MARGIN, top + 2 * (FIGURE_BOX_MM + 3) + 3)


def _flows(doc: Document, report: summary.Report) -> None:
    """Points and money between the partners: the two figures, then each matrix under its note."""
    tables = content.flow_tables(report)
    if not tables:
        return
    doc.ensure_space(60)
    doc.heading(content.FLOWS_TITLE, size=13)
    doc.paragraph(" · ".join(f"{f.label}: {f.value}" for f in content.flow_figures(report)), size=10, color=INK)
    for table in tables:
        doc.ensure_space(30)
        doc.heading(table.title, size=11)
        doc.table_block(table.columns, text_rows(table.rows, table.columns), size=6, padding=0.5)
        doc.paragraph(table.note, size=8)


def _opening(report: summary.Report, on: dt.date, subtitle: str, note: str) -> Document:
    """A document with its first page begun: title, *subtitle*, date and *note* (what the figures count)."""
    doc = Document(f"{content.TITLE} · {content.scope_label(report.scope)} · {content.stand(on)}")
    doc.add_page()
    doc.heading(content.TITLE, size=20)
    doc.paragraph(subtitle, size=13, color=INK)
    doc.paragraph(content.stand(on), size=10)
    doc.paragraph(note, size=8)
    doc.ln(2)
    return doc


def build(report: summary.Report, *, on: dt.date, context: summary.PoolView | None = None) -> bytes:
    """The report as PDF bytes; *context* (all partners) greys in the neighbours on the map."""
    doc = _opening(report, on, f"{content.SUBTITLE}: {content.scope_label(report.scope)}",
                   content.scope_note(report.scope))
    _key_figures(doc, report)
    doc.heading("Nach Gemeinde", size=13)
    doc.table_block(content.MUNICIPALITY_COLUMNS, text_rows(content.municipality_rows(report),
                                                             content.MUNICIPALITY_COLUMNS))
    if len(report.climate):
        columns, rows = content.climate_rows(report)
        doc.heading(content.CLIMATE_TITLE, size=13)
        doc.table_block(columns, text_rows(rows, columns))
        doc.paragraph(content.CLIMATE_NOTE, size=8)
    _flows(doc, report)
    for spec in charts.specs(report):
        if spec.empty():
            doc.ensure_space(20)
            doc.heading(spec.title, size=11)
            doc.paragraph(charts.EMPTY_NOTE, size=9, color=INK)
        else:
            doc.image_block(charts.png(spec), doc.epw)
        doc.paragraph(spec.note, size=8)
    doc.ensure_space(doc.epw * MAP_ASPECT + 15)
    doc.heading("Karte der Poolflächen", size=13)
    doc.image_block(staticmap.render(report.view, context, width_in=10.0, height_in=10.0 * MAP_ASPECT), doc.epw)
    doc.ensure_space(40)
    doc.heading("Eingriffe mit dem größten offenen Bedarf", size=13)
    doc.table_block(content.TOP_OPEN_COLUMNS, text_rows(report.top_open, content.TOP_OPEN_COLUMNS), size=7)
    for ags, table in report.measures_by_municipality.items():
        columns, rows = content.breakdown_rows(table, content.MEASURE_TYPE_COLUMN)
        doc.ensure_space(60)
        doc.heading(f"{schema.AGS_NAMES[ags]}: Poolflächen nach Maßnahmentyp", size=13)
        doc.paragraph(content.municipality_note(report, ags), size=9)
        doc.table_block(columns, text_rows(rows, columns))
    doc.paragraph(f"{content.AUDIENCE_NOTE} {schema.BOUNDARY_ATTRIBUTION} {schema.DEMO_NOTICE}", size=8)
    return bytes(doc.output())


FACT_SHEET_MAP_MM = 100.0
FACT_SHEET_TOP_OPEN = 3
FACT_SHEET_PADDING = 0.5
"""Cell padding (mm) of the fact sheet's tables: tight, so that eight measure types fit the page."""


def fact_sheet(report: summary.Report, *, on: dt.date, context: summary.PoolView | None = None) -> bytes:
    """One A4 page for one municipality (*report* of a single partner): key figures with the change
    since the scope's date, the map with scale bar and north arrow, the measure types and the
    interventions with the most open demand."""
    if len(report.scope.ags) != 1:
        raise ValueError(f"a fact sheet is for one municipality, got {report.scope.ags!r}")
    ags = report.scope.ags[0]
    years = f" Poolflächen nach Maßnahmentyp: {content.years_label(report.scope)}." if report.scope.years else ""
    doc = _opening(report, on, f"Faktenblatt {schema.AGS_NAMES[ags]}",
                   f"Kennzahlen und offener Bedarf: heutiger Stand.{years}")
    _key_figures(doc, report)
    png = staticmap.render(report.view, context, width_in=7.0, height_in=3.9)
    doc.image(io.BytesIO(png), x=MARGIN + (doc.epw - FACT_SHEET_MAP_MM) / 2, w=FACT_SHEET_MAP_MM)
    doc.ln(2)
    columns, rows = content.breakdown_rows(report.measures_by_municipality[ags], content.MEASURE_TYPE_COLUMN)
    doc.heading("Poolflächen nach Maßnahmentyp", size=11)
    doc.table_block(columns, text_rows(rows, columns), size=7, padding=FACT_SHEET_PADDING)
    top = report.top_open.head(FACT_SHEET_TOP_OPEN)
    if not top.empty:
        doc.heading("Eingriffe mit dem größten offenen Bedarf", size=11)
        doc.table_block(content.TOP_OPEN_COLUMNS, text_rows(top, content.TOP_OPEN_COLUMNS), size=7,
                        padding=FACT_SHEET_PADDING)
    doc.paragraph(f"{content.AUDIENCE_NOTE} {schema.DEMO_NOTICE}", size=7)
    return bytes(doc.output())

