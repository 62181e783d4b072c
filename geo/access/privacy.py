"""Personal data: who sees the names of private owners (DOMAIN.md, "Roles").

A pool area's ``owner`` is personal data when its ``owner_type`` is ``privat``. An owner
without ``owner_type`` (older layers, uploads that did not map it) is treated the same way:
nobody has said it is not a person. Those names are shown only to ``gis`` users of the
owning municipality and to administrators; everyone else, every council export and every
public download sees :data:`PRIVATE_OWNER`. This module is the only place that decides.
"""

from __future__ import annotations

from typing import TypeVar

import pandas as pd

from geo import fmt, schema
from geo.access.permissions import User

PRIVATE_OWNER = "Privatperson"
NOT_PERSONAL: tuple[str, ...] = ("öffentlich", "unternehmen")
"""Owner types whose names are no personal data (public bodies, legal persons)."""
EXPORT_NOTICE = (f"Namen privater Eigentümer (Eigentümerart „privat“ oder nicht angegeben) sind durch "
                 f"„{PRIVATE_OWNER}“ ersetzt.")
"""What every council export and public download says about owners."""

Frame = TypeVar("Frame", bound=pd.DataFrame)


def can_see_owner(user: User | None, ags: str) -> bool:
    """May *user* see the name of a private owner of an area in municipality *ags*?"""
    if user is None:
        return False
    return user.role == "admin" or (user.role == "gis" and user.ags == ags)


def visible_municipalities(user: User | None) -> frozenset[str]:
    """The AGS whose private owners *user* may see (empty for the public)."""
    return frozenset(ags for ags in schema.AGS_NAMES if can_see_owner(user, ags))


def personal(frame: pd.DataFrame) -> pd.Series:
    """Rows whose ``owner`` names a (possibly) private person: a name, and no type saying otherwise."""
    named = fmt.texts(frame["owner"]).str.strip() != ""
    kind = frame["owner_type"] if "owner_type" in frame.columns else pd.Series(None, index=frame.index)
    return named & ~kind.isin(NOT_PERSONAL)


def redact_owners(frame: Frame, user: User | None) -> Frame:
    """A copy of *frame* (pool areas) where private owners *user* may not see read :data:`PRIVATE_OWNER`.

    ``user=None`` is the public: every private owner is replaced (exports, downloads, visitors).
    Frames without an ``owner`` column are returned as they are.
    """
    if "owner" not in frame.columns:
        return frame
    ags = frame["ags"].astype(str)
    visible = {a: can_see_owner(user, a) for a in ags.unique()}
    hidden = personal(frame) & ~ags.map(visible).astype(bool)
    out = frame.copy(deep=False)  # copy-on-write: shares every column but the owner with *frame*
    out["owner"] = out["owner"].astype(object).where(~hidden, PRIVATE_OWNER)
    return out
