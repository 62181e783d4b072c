"""The process handbook (``data/handbuch.md``, kept by the partners) and which step comes next.

The handbook is Markdown. Each step is a level-2 heading (``## Zusage``) followed by the lines
``- Wer: …`` (who does it) and ``- Seite: …`` (the app page where it happens, by its address,
e.g. ``anfragen``), then free text. A level-1 heading ends the steps (e.g. the partners'
division of tasks). The step names the app knows are :data:`STEPS`; the handbook may word
who and where as the partners agree. Lines ``- Kontrolle durch: …`` (anywhere in a step) say
which partner inspects another's areas; :mod:`geo.monitoring.delegation` reads them.

:func:`next_for_intervention` and :func:`next_for_request` say which step comes next and
which municipality does it. Pure functions over text and frames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import schema

FILE_NAME = "handbuch.md"
STEPS = ("Anfrage", "Zusage", "Reservierung", "Genehmigung", "Zuordnung", "Umsetzung", "Kontrolle")
_FIELD = re.compile(r"^-\s*(Wer|Seite):\s*(.+?)\s*$")
INSPECTS = "Kontrolle durch"
_INSPECTS = re.compile(rf"^-\s*{INSPECTS}:\s*(.*?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    name: str
    who: str
    page: str
    """The app page's address (url path), e.g. ``anfragen``; empty if none is named."""
    text: str
    inspections: tuple[str, ...] = ()
    """The values of the step's ``- Kontrolle durch:`` lines (not part of :attr:`text`)."""


@dataclass(frozen=True)
class Handbook:
    intro: str
    steps: tuple[Step, ...]
    rest: str
    """What follows the steps (from the next level-1 heading on)."""

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name.lower() == name.lower()), None)


def read_text(data_dir: Path) -> str:
    """The handbook of the data folder *data_dir* (empty if there is none): UTF-8, or Windows-1252 as an editor
    on Windows may save it (never fails on its bytes)."""
    path = data_dir / FILE_NAME
    if not path.exists():
        return ""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse(text: str) -> Handbook:
    """The handbook's parts: the text before the first step, the steps, the text after them."""
    lines = text.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("## ")]
    end = next((i for i, line in enumerate(lines) if line.startswith("# ") and heads and i > heads[0]), len(lines))
    steps = []
    for n, start in enumerate(heads):
        if start >= end:
            break
        stop = min(heads[n + 1] if n + 1 < len(heads) else end, end)
        fields: dict[str, str] = {}
        body: list[str] = []
        inspections: list[str] = []
        for line in lines[start + 1:stop]:
            found = _FIELD.match(line)
            if delegated := _INSPECTS.match(line):
                inspections.append(delegated.group(1))
            elif found and not body:
                fields[found.group(1)] = found.group(2)
            elif line.strip() or body:
                body.append(line)
        steps.append(Step(lines[start][3:].strip(), fields.get("Wer", ""), fields.get("Seite", "").strip("/ "),
                          "\n".join(body).strip(), tuple(inspections)))
    intro = "\n".join(lines[:heads[0]] if heads else lines).strip()
    return Handbook(intro, tuple(steps), "\n".join(lines[end:]).strip())


@dataclass(frozen=True)
class Next:
    """The next step for an intervention or a request: which, by which municipality (if one), and why."""

    step: str
    ags: str | None
    reason: str

    @property
    def municipality(self) -> str:
        return schema.AGS_NAMES.get(self.ags or "", "")


def next_for_intervention(intervention: pd.Series, open_requests: pd.DataFrame) -> Next:
    """The next step for one enriched intervention (:func:`geo.accounting.ledger.enrich_interventions`) with
    its requests open now (rows of :func:`geo.accounting.requests.overview`)."""
    own = str(intervention["ags"])
    if len(open_requests):
        asked = open_requests.iloc[0]
        return Next("Zusage", str(asked["to_ags"]), f"Anfrage {asked['request_id']} ist offen.")
    approved = intervention["status"] in ("genehmigt", "umgesetzt")
    open_points, reserved = float(intervention["open_points"]), float(intervention["reserved_points"])
    if not approved:
        if open_points > 0.5:
            return Next("Reservierung", own, "Der Bedarf ist noch nicht gedeckt; Punkte reservieren (aus Flächen "
                                             "der Partner per Anfrage).")
        return Next("Genehmigung", own, "Der Bedarf ist durch Reservierungen gedeckt; es fehlt die Genehmigung.")
    if reserved > 0.5 or open_points > 0.5:
        return Next("Zuordnung", own, "Genehmigt: Reservierungen umbuchen und offenen Bedarf zuordnen.")
    if intervention["status"] == "genehmigt":
        return Next("Umsetzung", None, "Der Bedarf ist zugeordnet; die Maßnahmen auf den Flächen werden umgesetzt.")
    return Next("Kontrolle", None, "Umgesetzt und zugeordnet: die Flächen werden kontrolliert.")


def next_for_request(request: pd.Series, intervention: pd.Series | None) -> Next:
    """The next step after a request (a row of :func:`geo.accounting.requests.overview`)."""
    state, asking = str(request["state"]), str(request["from_ags"])
    if state == "offen":
        return Next("Zusage", str(request["to_ags"]), "Die Anfrage wartet auf Zusage oder Ablehnung.")
    if state in ("abgelehnt", "abgelaufen", "zurückgezogen"):
        return Next("Anfrage", asking, f"Die Anfrage ist {state}; eine andere Fläche anfragen.")
    if intervention is None:
        return Next("Zuordnung", asking, "Zugesagt.")
    return next_for_intervention(intervention, pd.DataFrame())
