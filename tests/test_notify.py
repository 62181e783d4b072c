"""Notifications: the outbox is mailed only with SMTP configured, and a failure loses nothing."""

from __future__ import annotations

import smtplib

from geo.access import contacts
from geo.access.permissions import User
from geo.accounting import consent, notify
from geo.config import Settings, Smtp
from tests.conftest import LEIPZIG, WURZEN

SMTP = Smtp(host="mail.example", port=587, sender="pool@example.org")


def _ask(store):
    return consent.ask(store, User("leipzig.gis", "gis", LEIPZIG), intervention_id="STR-LEI-01",
                       pool_id="WUR-2018-001", points=1_000, kind="reserviert", message="Bitte")


def test_without_smtp_nothing_is_sent_and_the_outbox_keeps_the_notification(demo_store):
    change = _ask(demo_store)
    assert notify.deliver(demo_store, change.outbox, None, contacts.read(Settings.from_env().contacts_file)) == 0
    row = demo_store.read_all().outbox.iloc[0]
    assert row["recipient_ags"] == WURZEN and row["sent_at"] is None and row["error"] is None


def test_a_sent_mail_is_recorded_and_a_failed_one_keeps_its_error(demo_store):
    change = _ask(demo_store)
    known = contacts.read(Settings.from_env().contacts_file)
    sent = []
    assert notify.deliver(demo_store, change.outbox, SMTP, known, send=lambda smtp, mail: sent.append(mail)) == 1
    assert sent[0]["To"] == "umwelt@wurzen.example" and "Neue Anfrage A-2026-00001" in sent[0]["Subject"]
    assert demo_store.read_all().outbox["sent_at"].iloc[0] is not None

    def refuse(smtp, mail):
        raise smtplib.SMTPServerDisconnected("Verbindung verloren")

    second = consent.withdraw(demo_store, User("leipzig.gis", "gis", LEIPZIG), request_id="A-2026-00001")
    assert notify.deliver(demo_store, second.outbox, SMTP, known, send=refuse) == 0
    row = demo_store.read_all().outbox.iloc[-1]
    assert row["sent_at"] is None and row["error"] == "Versand fehlgeschlagen: Verbindung verloren"
