"""Who inspects for whom: the monitoring partners the process handbook names, and who may record inspections.

The partners agree who carries out the function checks (``data/handbuch.md``, step ``## Kontrolle``). A line

    - Kontrolle durch: Wurzen für Bennewitz, Borsdorf, Brandis

in that step says that Wurzen's GIS staff record inspections for those municipalities' areas too; one such
line per inspecting partner. Names are the municipalities' names as the app writes them (or their short
names, e.g. ``Trebsen``), separated by commas (or „und“). A line the app cannot read, an unknown name or a
line in another step gives a German message (:attr:`Delegation.problems`) and grants nothing; the names
that can be read still count. No such line: every municipality inspects its own areas.

:func:`can_inspect` / :func:`require_inspect` decide who may record inspections, implementation states and
inspection photos and reports: administrators, GIS staff of the area's municipality and GIS staff of a
partner named here for it. Other documents (land-register extract, lease, …) stay with the area's
municipality (:mod:`geo.monitoring.records`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo import schema
from geo.access.permissions import User, can_edit_municipality, refusal, who_may
from geo.display import handbook

STEP = "Kontrolle"
EXAMPLE = f"„- {handbook.INSPECTS}: Wurzen für Bennewitz, Borsdorf“"
_FOR = re.compile(r"\s+für\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:,|;|\bund\b)\s*", re.IGNORECASE)
_BY_NAME = {key.casefold(): m.ags for m in schema.MUNICIPALITIES for key in (m.name, m.slug)}
KNOWN = "bekannt sind " + ", ".join(m.name for m in schema.MUNICIPALITIES)


@dataclass(frozen=True)
class Delegation:
    """Which partner inspects which other partners' areas, and what in the handbook could not be read."""

    pairs: frozenset[tuple[str, str]] = frozenset()
    """(AGS of the inspecting partner, AGS of the municipality whose areas it inspects)."""
    problems: tuple[str, ...] = ()

    def inspectors_of(self, ags: str) -> list[str]:
        """AGS of the partners that inspect *ags*'s areas besides *ags* itself (in the schema's order)."""
        return [m.ags for m in schema.MUNICIPALITIES if (m.ags, ags) in self.pairs]

    def inspected_by(self, inspector: str) -> list[str]:
        """AGS of the municipalities whose areas *inspector* inspects besides its own (in the schema's order)."""
        return [m.ags for m in schema.MUNICIPALITIES if (inspector, m.ags) in self.pairs]

    def sentence(self, inspector: str) -> str:
        """``Wurzen kontrolliert laut Prozesshandbuch auch für Bennewitz und Borsdorf.`` (empty: for no one)."""
        others = self.inspected_by(inspector)
        if not others:
            return ""
        return f"{schema.AGS_NAMES[inspector]} kontrolliert laut Prozesshandbuch auch für {_listed(others)}."

    def sentences(self) -> list[str]:
        """:meth:`sentence` of every inspecting partner."""
        return [s for m in schema.MUNICIPALITIES if (s := self.sentence(m.ags))]


NOBODY = Delegation()
"""No partner inspects for another: each municipality its own areas (a handbook without the line)."""


def _listed(ags: list[str]) -> str:
    names = [schema.AGS_NAMES[a] for a in ags]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " und " + names[-1]


def _line(value: str) -> tuple[set[tuple[str, str]], list[str]]:
    """The pairs one ``- Kontrolle durch:`` line grants and what in it could not be read."""
    where = f"Prozesshandbuch, Schritt „{STEP}“, Zeile „- {handbook.INSPECTS}: {value}“"
    parts = [part.strip() for part in _FOR.split(value, maxsplit=1)]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return set(), [f"{where}: Es fehlt, wer für wen kontrolliert; so sieht die Zeile aus: {EXAMPLE}. "
                       "Sie gilt nicht, bis sie korrigiert ist."]
    inspector = _BY_NAME.get(parts[0].casefold())
    if inspector is None:
        return set(), [f"{where}: „{parts[0]}“ ist keine Gemeinde des Flächenpools ({KNOWN}). "
                       "Die Zeile gilt nicht, bis sie korrigiert ist."]
    pairs: set[tuple[str, str]] = set()
    problems: list[str] = []
    for name in filter(None, (n.strip().rstrip(".").strip() for n in _SEPARATORS.split(parts[1]))):
        ags = _BY_NAME.get(name.casefold())
        if ags is None:
            problems.append(f"{where}: „{name}“ ist keine Gemeinde des Flächenpools ({KNOWN}); "
                            f"für „{name}“ gilt die Zeile nicht, für die übrigen Gemeinden schon.")
        elif ags != inspector:
            pairs.add((inspector, ags))
    return pairs, problems


def parse(text: str) -> Delegation:
    """The delegation the handbook *text* states (see the module docstring); never raises."""
    pairs: set[tuple[str, str]] = set()
    problems: list[str] = []
    for step in handbook.parse(text).steps:
        for value in step.inspections:
            if step.name.casefold() != STEP.casefold():
                problems.append(f"Prozesshandbuch: die Zeile „- {handbook.INSPECTS}: {value}“ steht im Schritt "
                                f"„{step.name}“; sie gilt nur im Schritt „{STEP}“ und wird sonst nicht beachtet.")
                continue
            granted, found = _line(value)
            pairs |= granted
            problems += found
    return Delegation(frozenset(pairs), tuple(problems))


def can_inspect(user: User | None, ags: str, delegation: Delegation) -> bool:
    """May *user* record inspections, implementation states and inspection photos on *ags*'s areas?"""
    if can_edit_municipality(user, ags):
        return True
    return user is not None and user.role == "gis" and (str(user.ags), ags) in delegation.pairs


def inspected(user: User | None, delegation: Delegation) -> list[str]:
    """AGS of the municipalities whose areas *user* may inspect (:func:`can_inspect`), in the schema's order."""
    return [m.ags for m in schema.MUNICIPALITIES if can_inspect(user, m.ags, delegation)]


def _partners(ags: str, delegation: Delegation) -> list[str]:
    return [f"GIS-Zuständige von {schema.AGS_NAMES[a]} (laut Prozesshandbuch)" for a in delegation.inspectors_of(ags)]


def who_may_inspect(ags: str, delegation: Delegation) -> str:
    """Who may inspect *ags*'s areas, in German: ``GIS-Zuständige von Lossatal, GIS-Zuständige von Wurzen (laut
    Prozesshandbuch) oder die Administration``."""
    return who_may(ags, also=_partners(ags, delegation))


def require_inspect(user: User | None, ags: str, delegation: Delegation, action: str) -> User:
    """*user* if :func:`can_inspect`; else :class:`~geo.errors.PermissionDenied` naming who may."""
    if user is None or not can_inspect(user, ags, delegation):
        raise refusal(user, ags, action, also=_partners(ags, delegation))
    return user
