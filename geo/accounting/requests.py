"""Requests across borders (Anfrage → Zusage): states, transitions and who may do what.

Booking points from another municipality's pool area needs that municipality's consent
(DOMAIN.md, "Cooperation between partners"). A request is the story of its events in
:data:`geo.schema.REQUEST_EVENTS` (append-only, hash-chained by the store):

- ``gestellt``: the requesting municipality names intervention, area, points, kind, a
  message and the last day the request is open (``expires``);
- then at most one of ``zugesagt`` (possibly for fewer points, with a condition in
  ``text``, naming the ledger entry it created), ``abgelehnt`` (with the reason) or
  ``zurückgezogen`` (by the requester).

A request is ``offen`` until one of those, or ``abgelaufen`` once the clock has passed its
``expires`` day: expiry is judged from *now* on every read and every write, so no
background job is needed and no event is stored for it. Points under open requests are not
free to anyone else (:func:`pending` feeds :func:`geo.accounting.ledger.enrich_pool`); an
approval books under the ledger's rules at that moment, its own request's points set aside.

Pure functions over frames; :mod:`geo.accounting.consent` writes their rows in one store
transaction, and the permission checks happen here, where the rows are made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo import fmt, schema
from geo.access.permissions import User, require_edit_municipality
from geo.accounting import ledger
from geo.config import DEFAULT_REQUEST_DAYS
from geo.errors import RequestError

RequestState = Literal["offen", "zugesagt", "abgelehnt", "abgelaufen", "zurückgezogen"]
OVERVIEW_COLUMNS = ("request_id", "state", "intervention_id", "pool_id", "from_ags", "to_ags", "points", "kind",
                    "message", "requested_by", "asked_at", "expires", "decided_at", "decided_by",
                    "granted_points", "answer", "allocation_id", "age_days")


def overview(events: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """One row per request with its state at *now*, newest first (columns :data:`OVERVIEW_COLUMNS`).

    ``answer`` is the condition of an approval, the reason of a refusal or a withdrawal;
    ``age_days`` counts whole days since the request was made.
    """
    asked = events[events["event"] == "gestellt"].drop_duplicates("request_id").set_index("request_id")
    final = events[events["event"] != "gestellt"].drop_duplicates("request_id").set_index("request_id")
    final = final.reindex(asked.index)
    now = _berlin(now)
    asked_at = _berlin_times(asked["at"])
    expires = pd.to_datetime(asked["expires"], errors="coerce")
    decided = final["event"].notna()
    expired = ~decided & (expires.dt.date < now.date())
    state = np.where(decided, final["event"], np.where(expired, "abgelaufen", "offen"))
    out = pd.DataFrame({
        "request_id": asked.index, "state": state, "intervention_id": asked["intervention_id"],
        "pool_id": asked["pool_id"], "from_ags": asked["from_ags"], "to_ags": asked["to_ags"],
        "points": asked["points"].astype(float), "kind": asked["kind"], "message": asked["text"].fillna(""),
        "requested_by": asked["user"], "asked_at": asked_at, "expires": expires,
        "decided_at": _berlin_times(final["at"]), "decided_by": final["user"],
        "granted_points": final["points"].where(final["event"] == "zugesagt").astype(float),
        "answer": final["text"].fillna(""), "allocation_id": final["allocation_id"],
        "age_days": (pd.Timestamp(now.date()) - asked_at.dt.normalize()).dt.days,
    }, columns=list(OVERVIEW_COLUMNS)).reset_index(drop=True)
    return out.iloc[::-1].reset_index(drop=True)


def _berlin(moment: dt.datetime) -> dt.datetime:
    """*moment* as Berlin wall-clock time without offset (a naive moment already is one)."""
    return moment.astimezone(fmt.TIMEZONE).replace(tzinfo=None) if moment.tzinfo else moment


def _berlin_times(values: pd.Series) -> pd.Series:
    """Stored moments (ISO text with offset; legacy ones without are UTC) as Berlin wall-clock times."""
    local: pd.Series = fmt.instants(values).dt.tz_convert(fmt.TIMEZONE).dt.tz_localize(None)
    return local


def pending(events: pd.DataFrame, now: dt.datetime, *, exclude: str | None = None) -> pd.DataFrame:
    """The open requests at *now* (pool_id, intervention_id, points): points not free to others."""
    rows = overview(events, now)
    rows = rows[(rows["state"] == "offen") & (rows["request_id"] != exclude)]
    return rows[["pool_id", "intervention_id", "points"]].reset_index(drop=True)


def one(events: pd.DataFrame, request_id: str, now: dt.datetime) -> pd.Series:
    """The request *request_id* as :func:`overview` shows it."""
    rows = overview(events, now)
    found = rows[rows["request_id"] == request_id]
    if found.empty:
        raise RequestError(f"Die Anfrage „{request_id}“ gibt es nicht.")
    return found.iloc[0]


def inbox(events: pd.DataFrame, ags: str, now: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(requests to *ags*, requests from *ags*), each newest first."""
    rows = overview(events, now)
    return rows[rows["to_ags"] == ags].reset_index(drop=True), rows[rows["from_ags"] == ags].reset_index(drop=True)


def _ags_of(frame: pd.DataFrame, key: str, value: str, what: str) -> str:
    rows = frame.loc[frame[key] == value, "ags"]
    if rows.empty:
        raise RequestError(f"{what} „{value}“ gibt es nicht.")
    return str(rows.iloc[0])


def _next_request_id(events: pd.DataFrame, now: dt.datetime) -> str:
    numbers = events["request_id"].astype(str).str.extract(r"-(\d+)$")[0].dropna().astype(int)
    return f"A-{now.year}-{(numbers.max() + 1) if len(numbers) else 1:05d}"


def _event(events: pd.DataFrame, request: pd.Series | dict[str, Any], *, event: str, user: str, now: dt.datetime,
           points: float | None = None, kind: str | None = None, text: str = "", expires: dt.date | None = None,
           allocation_id: str | None = None) -> pd.DataFrame:
    request_id = str(request["request_id"])
    number = int((events["request_id"] == request_id).sum()) + 1
    row = {
        "event_id": f"{request_id}-{number}", "request_id": request_id, "event": event,
        "at": fmt.iso(now), "user": user, "from_ags": request["from_ags"],
        "to_ags": request["to_ags"], "intervention_id": request["intervention_id"], "pool_id": request["pool_id"],
        "points": np.nan if points is None else float(points), "kind": kind, "text": text,
        "expires": expires.isoformat() if expires else None, "allocation_id": allocation_id,
        "change_id": None, "hash": None,
    }
    return pd.DataFrame([row], columns=schema.field_names(schema.REQUEST_EVENTS)).astype({"points": float})


def plan_request(pool: pd.DataFrame, interventions: pd.DataFrame, allocations: pd.DataFrame, events: pd.DataFrame,
                 *, user: User | None, intervention_id: str, pool_id: str, points: float, kind: ledger.BookingKind,
                 message: str = "", now: dt.datetime, days: int = DEFAULT_REQUEST_DAYS) -> pd.DataFrame:
    """The ``gestellt`` event of a new request; refused unless the booking would be allowed right now.

    Only GIS staff of the intervention's municipality (or the administration) ask; the area
    must lie in another municipality (at home one books directly). The points must be free,
    counting other open requests as taken, and within the intervention's open demand.
    """
    from_ags = _ags_of(interventions, "intervention_id", intervention_id, "Den Eingriff")
    signed_in = require_edit_municipality(user, from_ags, "Wertpunkte anfragen")
    to_ags = _ags_of(pool, "pool_id", pool_id, "Die Poolfläche")
    if to_ags == from_ags:
        raise RequestError(f"Die Poolfläche {pool_id} liegt in {schema.AGS_NAMES.get(to_ags, to_ags)} wie der "
                           "Eingriff: innerhalb der eigenen Gemeinde wird direkt gebucht, ohne Anfrage.")
    if days < 1:
        raise RequestError("Die Frist einer Anfrage muss mindestens einen Tag betragen.")
    ledger.check_booking(pool, interventions, allocations, pool_id=pool_id, intervention_id=intervention_id,
                         points=points, kind=kind, pending=pending(events, now))
    request = {"request_id": _next_request_id(events, now), "from_ags": from_ags, "to_ags": to_ags,
               "intervention_id": intervention_id, "pool_id": pool_id}
    return _event(events, request, event="gestellt", user=signed_in.username, now=now, points=points, kind=kind,
                  text=message.strip(), expires=now.date() + dt.timedelta(days=days))


def _open(events: pd.DataFrame, request_id: str, now: dt.datetime) -> pd.Series:
    request = one(events, request_id, now)
    if request["state"] != "offen":
        raise RequestError(f"Die Anfrage {request_id} ist „{request['state']}“: sie kann nicht mehr "
                           "zugesagt, abgelehnt oder zurückgezogen werden.")
    return request


def plan_approval(pool: pd.DataFrame, interventions: pd.DataFrame, allocations: pd.DataFrame,
                  events: pd.DataFrame, *, user: User | None, request_id: str, now: dt.datetime,
                  points: float | None = None, condition: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the ``zugesagt`` event, its ledger rows): the area's municipality consents, for *points* (≤ asked).

    The booking is checked by the ledger's rules as they are at *now*; the request's own
    points are set aside, every other open request still counts.
    """
    request = _open(events, request_id, now)
    signed_in = require_edit_municipality(user, str(request["to_ags"]), "Anfrage zusagen")
    granted = float(request["points"]) if points is None else float(points)
    if granted > float(request["points"]) + ledger.EPS:
        raise RequestError(f"Angefragt sind {fmt.points(request['points'])}; zugesagt werden kann höchstens "
                           f"so viel, nicht {fmt.points(granted)}.")
    notes = f"Zusage zu Anfrage {request_id} von {request['requested_by']}"
    if condition.strip():
        notes += f"; Auflage: {condition.strip()}"
    rows = ledger.plan_booking(pool, interventions, allocations, pool_id=str(request["pool_id"]),
                               intervention_id=str(request["intervention_id"]), points=granted,
                               kind=request["kind"], user=signed_in.username, on=now.date(), notes=notes,
                               pending=pending(events, now, exclude=request_id))
    event = _event(events, request, event="zugesagt", user=signed_in.username, now=now, points=granted,
                   kind=str(request["kind"]), text=condition.strip(), allocation_id=str(rows["allocation_id"].iloc[0]))
    return event, rows


def plan_decline(events: pd.DataFrame, *, user: User | None, request_id: str, now: dt.datetime,
                 reason: str) -> pd.DataFrame:
    """The ``abgelehnt`` event: the area's municipality says no, and why."""
    request = _open(events, request_id, now)
    signed_in = require_edit_municipality(user, str(request["to_ags"]), "Anfrage ablehnen")
    if not reason.strip():
        raise RequestError("Bitte einen Grund für die Ablehnung angeben; die anfragende Gemeinde erfährt ihn.")
    return _event(events, request, event="abgelehnt", user=signed_in.username, now=now, text=reason.strip())


def plan_withdrawal(events: pd.DataFrame, *, user: User | None, request_id: str, now: dt.datetime,
                    reason: str = "") -> pd.DataFrame:
    """The ``zurückgezogen`` event: the requesting municipality takes its request back."""
    request = _open(events, request_id, now)
    signed_in = require_edit_municipality(user, str(request["from_ags"]), "Anfrage zurückziehen")
    return _event(events, request, event="zurückgezogen", user=signed_in.username, now=now, text=reason.strip())


_SUBJECTS = {
    "gestellt": "Neue Anfrage {request_id}: {points} aus {pool_id} für {intervention_id}",
    "zugesagt": "Zusage zu Anfrage {request_id}: {points} aus {pool_id} gebucht ({allocation_id})",
    "abgelehnt": "Anfrage {request_id} abgelehnt",
    "zurückgezogen": "Anfrage {request_id} zurückgezogen",
}


def notification(event: pd.DataFrame) -> pd.DataFrame:
    """The outbox row telling the other party about *event* (one row of :func:`plan_request` & co.)."""
    row = event.iloc[0]
    to_requester = row["event"] in ("zugesagt", "abgelehnt")
    recipient = str(row["from_ags"] if to_requester else row["to_ags"])
    sender = schema.AGS_NAMES.get(str(row["to_ags"] if to_requester else row["from_ags"]), "")
    points = fmt.points(row["points"]) if pd.notna(row["points"]) else ""
    subject = _SUBJECTS[str(row["event"])].format(request_id=row["request_id"], points=points, pool_id=row["pool_id"],
                                                  intervention_id=row["intervention_id"],
                                                  allocation_id=row["allocation_id"])
    lines = [f"{subject}.", f"Von: {sender} ({row['user']}), {fmt.timestamp(row['at'])}",
             f"Eingriff {row['intervention_id']}, Poolfläche {row['pool_id']}"]
    if row["text"]:
        label = {"gestellt": "Nachricht", "zugesagt": "Auflage"}.get(str(row["event"]), "Grund")
        lines.append(f"{label}: {row['text']}")
    if row["event"] == "gestellt":
        lines.append(f"Bitte bis {fmt.date(row['expires'])} auf der Seite „Anfragen“ "
                     "zusagen oder ablehnen; danach läuft die Anfrage ab.")
    out = {"notification_id": f"N-{row['event_id']}", "request_id": row["request_id"], "at": row["at"],
           "recipient_ags": recipient, "subject": subject, "body": "\n".join(lines), "change_id": None,
           "sent_at": None, "error": None}
    return pd.DataFrame([out], columns=schema.field_names(schema.OUTBOX))
