"""Who may do what (DOMAIN.md, "Roles"). Checked where the write happens."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from geo import schema
from geo.errors import PermissionDenied

Role = Literal["lesen", "gis", "admin"]
ROLES: tuple[Role, ...] = ("lesen", "gis", "admin")
ROLE_LABELS: dict[str, str] = {"lesen": "Lesen", "gis": "GIS (Gemeinde)", "admin": "Administration"}


@dataclass(frozen=True)
class User:
    """A signed-in person. ``ags`` binds a ``gis`` user to one municipality."""

    username: str
    role: Role
    ags: str | None = None
    display_name: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"Unbekannte Rolle: {self.role!r}")
        if self.role == "gis" and self.ags not in schema.AGS_NAMES:
            raise ValueError("Eine GIS-Rolle braucht eine Gemeinde (AGS).")

    @property
    def label(self) -> str:
        """``GIS Stadt Wurzen – GIS-Zuständige``, ``maria – GIS-Zuständige für Brandis``, ``admin – Administration``:
        the name and the role, with the municipality unless the display name already says it (a user
        name such as ``brandis.gis`` is a key, not a name: the municipality is spelled out)."""
        name = self.display_name or self.username
        town = schema.AGS_NAMES.get(self.ags or "", "")
        role = {"lesen": "Lesezugriff", "admin": "Administration"}.get(self.role, "GIS-Zuständige")
        if town and (not self.display_name or town.casefold() not in self.display_name.casefold()):
            role += f" für {town}"
        return f"{name} – {role}"


def can_edit_municipality(user: User | None, ags: str) -> bool:
    """Upload/publish a municipality's layers and book for its interventions."""
    if user is None:
        return False
    return user.role == "admin" or (user.role == "gis" and user.ags == ags)


def who_may(ags: str, *, also: Sequence[str] = ()) -> str:
    """``GIS-Zuständige von Lossatal, … oder die Administration``: who may act for *ags*, with those *also*
    names (e.g. a partner the process handbook names)."""
    return ", ".join([f"GIS-Zuständige von {schema.AGS_NAMES.get(ags, ags)}", *also]) + " oder die Administration"


def refusal(user: User | None, ags: str, action: str, *, also: Sequence[str] = ()) -> PermissionDenied:
    """The refusal of *action* for *ags* in German, naming who may (:func:`who_may`)."""
    who = "Niemand ist angemeldet" if user is None else f"{user.label} darf das nicht"
    return PermissionDenied(f"{action} für {schema.AGS_NAMES.get(ags, ags)}: {who}. Nur {who_may(ags, also=also)} "
                            "dürfen das.")


def require_edit_municipality(user: User | None, ags: str, action: str) -> User:
    """*user* if they may edit *ags*; else :class:`PermissionDenied` naming who may."""
    if user is None or not can_edit_municipality(user, ags):
        raise refusal(user, ags, action)
    return user


def require_admin(user: User | None, action: str) -> User:
    """*user* if they are an administrator; else :class:`PermissionDenied`."""
    if user is None or user.role != "admin":
        raise PermissionDenied(f"{action}: nur die Administration darf das.")
    return user


def require_direct_booking(user: User | None, intervention_ags: str, pool_ags: str) -> User:
    """*user* if they may book *pool_ags*'s points for *intervention_ags* without a request.

    Administrators may book anything; GIS staff only within their own municipality. Across a
    border the area's municipality has to consent (DOMAIN.md, "Requests").
    """
    signed_in = require_edit_municipality(user, intervention_ags, "Wertpunkte buchen")
    if signed_in.role != "admin" and pool_ags != intervention_ags:
        raise PermissionDenied(f"Die Poolfläche liegt in {schema.AGS_NAMES.get(pool_ags, pool_ags)}: Wertpunkte "
                               "aus einer anderen Gemeinde bitte anfragen (Anfrage stellen). Die Gemeinde der "
                               "Fläche sagt zu oder lehnt ab; direkt buchen darf dort nur die Administration.")
    return signed_in
