"""Sending the outbox by e-mail, when SMTP is configured (``FLAECHENPOOL_SMTP_*``).

Notifications are written into the outbox with the request event they report, in the same
transaction (:mod:`geo.accounting.consent`); sending comes afterwards and may fail without
losing anything: the row stays with its error, and the administrators see it on the page
"Anfragen" and can send again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage

import pandas as pd

from geo import fmt
from geo.access import contacts as contact_list
from geo.config import Smtp
from geo.store import Store

log = logging.getLogger(__name__)
Sender = Callable[[Smtp, EmailMessage], None]


def send_smtp(smtp: Smtp, message: EmailMessage) -> None:
    """One message through the configured server (STARTTLS and login when a user is set)."""
    with smtplib.SMTP(smtp.host, smtp.port, timeout=15) as server:
        if smtp.user:
            server.starttls()
            server.login(smtp.user, smtp.password)
        server.send_message(message)


def message(row: pd.Series, recipients: list[str], sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"[Flächenpool] {row['subject']}"
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail.set_content(f"{row['body']}\n\n-- \nFlächenpool Leipzig & Wurzener Land (automatische Nachricht)")
    return mail


def deliver(store: Store, rows: pd.DataFrame, smtp: Smtp | None, contacts: pd.DataFrame, *,
            send: Sender = send_smtp, now: dt.datetime | None = None) -> int:
    """Send the unsent notifications among *rows*; returns how many went out. Without SMTP nothing is sent."""
    if smtp is None:
        return 0
    sent = 0
    for _, row in rows[rows["sent_at"].isna()].iterrows():
        recipients = contact_list.addresses(contacts, str(row["recipient_ags"]))
        if not recipients:
            store.record_delivery(str(row["notification_id"]), sent_at=None,
                                  error="keine E-Mail-Adresse der Gemeinde in contacts.csv")
            continue
        try:
            send(smtp, message(row, recipients, smtp.sender))
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("sending %s failed: %s", row["notification_id"], exc)
            store.record_delivery(str(row["notification_id"]), sent_at=None, error=f"Versand fehlgeschlagen: {exc}")
            continue
        at = (now or fmt.now()).isoformat(timespec="seconds")
        store.record_delivery(str(row["notification_id"]), sent_at=at, error=None)
        sent += 1
    return sent
