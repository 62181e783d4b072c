"""The overview's presentation: one statement per screen, with the speaker's words.

The page's presentation mode (``/uebersicht?folie=N``) shows these slides one at a time and
the slide deck (:mod:`geo.reports.pptx`) carries the same speaker notes, so that whoever
presents reads the same sentences on the projector and in PowerPoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from geo.accounting import summary
from geo.reports import charts, content

SlideKind = Literal["figures", "chart", "map"]
MAP_TITLE = "Karte der Poolflächen"


@dataclass(frozen=True)
class Slide:
    """One screen: a title, what it shows and what the speaker says about it."""

    title: str
    kind: SlideKind
    notes: str
    figures: tuple[content.KeyFigure, ...] = ()
    chart: charts.ChartSpec | None = None


def figure_notes(figures: list[content.KeyFigure]) -> str:
    """The key figures as sentences: ``"Freie Wertpunkte: 121,8 Mio. WP (…; +1 Mio. WP seit …)."``"""
    return " ".join(f"{f.label}: {f.value} ({f.note}{'; ' + f.delta if f.delta else ''})." for f in figures)


def map_notes(report: summary.Report) -> str:
    """What the map slide shows, with the counts of the year range."""
    return (f"Die Karte zeigt {content.scope_label(report.scope)}: {report.period.pool_count} Poolflächen, "
            "eingefärbt nach Status wie in der Legende, mit Maßstab und Nordpfeil. "
            "Flächen unter 3 ha tragen zusätzlich einen Punkt.")


def deck(report: summary.Report) -> list[Slide]:
    """The presentation of *report*: two screens of key figures, one per chart, the map."""
    figures = content.report_figures(report)
    pool, balance = figures[:3], figures[3:]
    slides = [Slide("Der Pool heute", "figures", figure_notes(pool), figures=tuple(pool)),
              Slide("Angebot und Bedarf heute", "figures", figure_notes(balance) + " " + content.scope_note(
                  report.scope), figures=tuple(balance))]
    slides += [Slide(spec.title, "chart", f"{charts.describe(spec)} {spec.note}", chart=spec)
               for spec in charts.specs(report)]
    slides.append(Slide(MAP_TITLE, "map", map_notes(report)))
    return slides
