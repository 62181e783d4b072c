"""AppTest of "Eingriffe & Zuordnung": list, deep link, candidates, booking, cancel, confirm, flows."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from geo import fmt, schema
from geo.access.permissions import User
from geo.accounting import booking, flows, summary
from geo.display import interventions
from geo.store.gpkg import GeoPackageStore
from tests.conftest import REPO
from tests.monitoringtools import PDF
from tests.signin import open_as
from tests.storetools import put_layer

WURZEN, BENNEWITZ, MACHERN = (schema.municipality(s).ags for s in ("wurzen", "bennewitz", "machern"))
WURZEN_GIS = User("wurzen.gis", "gis", WURZEN)
PAGE = "views/eingriffe.py"


def open_page(eingriff: str | None = None, user: User | None = None) -> AppTest:
    return open_as(PAGE, user, **({"eingriff": eingriff} if eingriff else {}))


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def widget(elements, name: str):
    """The widget whose key is *name* with the data version (``name@token``, :func:`ui.data.keyed`)."""
    return next(w for w in elements if (w.key or "").split("@")[0] == name)


def frame(at: AppTest, first_column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if df.value.columns[0] == first_column)


def candidates(at):
    table = next(t.value for t in at.table if "Warum diese Fläche" in t.value.columns)
    return table.map(lambda v: v.replace("\\", ""))  # Markdown escapes of data text


def texts(elements) -> str:
    return " ".join(str(e.value).replace("\\", "") for e in elements)  # Markdown escapes of data text


def current(demo_dir: Path) -> summary.PoolView:
    return summary.pool_view(GeoPackageStore(demo_dir).read_all())


def test_list_filters_and_german_figures(demo_dir):
    at = open_page()
    at.multiselect(key="eingriffe_gemeinden").set_value([WURZEN])
    at.multiselect(key="eingriffe_deckung").set_value(["teilweise", "offen"])
    at.run()
    table = frame(at, "Eingriffs-ID")
    itv = current(demo_dir).interventions
    expected = itv[(itv["ags"] == WURZEN) & itv["coverage"].isin(["teilweise", "offen"])]
    assert table["Eingriffs-ID"].tolist() == expected["intervention_id"].tolist()
    assert table["Offen (WP)"].tolist() == [fmt.number(round(v)) for v in expected["open_points"]]
    assert table["Gebucht (WP)"].tolist() == [fmt.number(round(v)) for v in expected["covered_points"]]
    assert table["Deckung"].str.match(r"^(teilweise|offen) \(\d+\u00a0%\)$").all()
    assert at.selectbox(key="eingriffe_auswahl").options == [
        f"{i} – {n}" for i, n in zip(expected["intervention_id"], expected["name"], strict=True)]


def test_anonymous_visitor_sees_candidates_but_no_write_buttons(demo_dir):
    at = open_page("BPL-WUR-01")
    assert at.selectbox(key="eingriffe_auswahl").value == "BPL-WUR-01"
    assert "Buchen ist nur angemeldet möglich" in texts(at.info)
    assert not [b for b in at.button if b.label in ("Buchen", "Buchung stornieren")]
    reasons = candidates(at)["Warum diese Fläche"].tolist()
    assert reasons and reasons[0].startswith("liegt in Wurzen, der Gemeinde des Eingriffs")
    assert {m.label: m.value for m in at.metric}["Offener Bedarf"] == fmt.points(
        interventions.one(current(demo_dir).interventions, "BPL-WUR-01")["open_points"])


def test_a_planner_of_wurzen_asks_bennewitz_and_bennewitz_approves(demo_dir):
    before = current(demo_dir)
    target = interventions.one(before.interventions, "BPL-WUR-01")
    at = open_page("BPL-WUR-01", WURZEN_GIS)
    at.multiselect(key="eingriffe_herkunft").set_value([BENNEWITZ])
    at.run()
    reasons = candidates(at)["Warum diese Fläche"].tolist()
    assert all(r.startswith("liegt in Bennewitz, Nachbargemeinde") for r in reasons)
    assert not [b for b in at.button if b.label == "Buchen"]  # across the border: only a request
    pool_id = widget(at.selectbox, "eingriffe_anfrage_fl").value
    free = before.pool_areas.set_index("pool_id").loc[pool_id, "free_points"]
    widget(at.text_input, "eingriffe_anfrage_punkte_BPL-WUR-01").input("20.000")
    widget(at.radio, "eingriffe_anfrage_art_BPL-WUR-01").set_value("zugeordnet")
    widget(at.text_input, "eingriffe_anfrage_text").input("Für das Wohngebiet")
    button(at, "Anfrage stellen").click()
    at.run()
    assert not at.exception and not at.error, at.error
    assert f"Anfrage an Bennewitz gestellt: 20.000\u00a0WP aus {pool_id} für BPL-WUR-01" in texts(at.success)
    asked = current(demo_dir)
    assert len(asked.allocations) == len(before.allocations)
    assert asked.pool_areas.set_index("pool_id").loc[pool_id, "free_points"] == free - 20_000

    bennewitz = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    bennewitz.session_state["user"] = User("bennewitz.gis", "gis", BENNEWITZ)
    bennewitz.run()
    assert "Offene Anfragen an Sie (1)" in [h.value for h in bennewitz.header]
    bennewitz.switch_page("views/anfragen.py")
    bennewitz.run()
    inbox = frame(bennewitz, "Anfrage")
    assert inbox[["Status", "Von", "Poolfläche", "Angefragt"]].values.tolist() == [
        ["offen", "Wurzen", pool_id, "20.000\u00a0WP"]]
    widget(bennewitz.text_input, "anfragen_punkte").input("15.000")
    widget(bennewitz.text_input, "anfragen_text").input("Pflege durch Bennewitz")
    button(bennewitz, "Zusagen").click()
    bennewitz.run()
    assert not bennewitz.exception and not bennewitz.error, bennewitz.error
    assert "zugesagt; die Buchung steht im Journal" in texts(bennewitz.success)

    after = current(demo_dir)
    entry = after.allocations.iloc[-1]
    assert (entry["pool_id"], entry["intervention_id"], entry["kind"], entry["points"], entry["booked_by"]) == (
        pool_id, "BPL-WUR-01", "zugeordnet", 15_000.0, "bennewitz.gis")
    assert "Auflage: Pflege durch Bennewitz" in entry["notes"]
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Offener Bedarf"] == fmt.points(target["open_points"] - 15_000)
    assert pool_id in frame(at, "Buchungs-ID")["Flächen-ID"].tolist()

    # The start page shows the new balance per municipality at once.
    at.switch_page("views/start.py")
    at.run()
    table = frame(at, "Gemeinde").set_index("Gemeinde")
    old, new = summary.by_municipality(before), summary.by_municipality(after)
    assert new.loc[BENNEWITZ, "balance"] == old.loc[BENNEWITZ, "balance"] - 15_000
    assert new.loc[WURZEN, "balance"] == old.loc[WURZEN, "balance"] + 15_000
    assert table.loc["Bennewitz", "Bilanz"] == fmt.points(new.loc[BENNEWITZ, "balance"])
    assert table.loc["Wurzen", "Bilanz"] == fmt.points(new.loc[WURZEN, "balance"])


def test_an_overdraft_is_refused_in_german_and_writes_nothing(demo_dir):
    at = open_page("BPL-WUR-02", WURZEN_GIS)
    at.multiselect(key="eingriffe_herkunft").set_value([WURZEN])
    at.run()
    pool_id = widget(at.selectbox, "eingriffe_flaeche").value
    free = current(demo_dir).pool_areas.set_index("pool_id").loc[pool_id, "free_points"]
    ledger_before = (demo_dir / "pool.gpkg").read_bytes()
    widget(at.text_input, "eingriffe_punkte_BPL-WUR-02").input(fmt.number(free + 1))
    button(at, "Buchen").click()
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Jetzt buchen"]  # refused at once, nothing to confirm
    assert "würden sie überziehen" in texts(at.error)
    widget(at.text_input, "eingriffe_punkte_BPL-WUR-02").input("viele")
    button(at, "Buchen").click()
    at.run()
    assert "„viele“ ist keine positive ganze Zahl" in texts(at.error)
    widget(at.text_input, "eingriffe_punkte_BPL-WUR-02").input("1.500,5")  # would be shown as 1.500 WP booked
    button(at, "Buchen").click()
    at.run()
    assert "„1.500,5“ ist keine positive ganze Zahl" in texts(at.error) and not at.success
    for raw in ("1e5", "1_000", "-3"):  # scientific, Python and negative notation: German refusal, no booking
        widget(at.text_input, "eingriffe_punkte_BPL-WUR-02").input(raw)
        button(at, "Buchen").click()
        at.run()
        assert f"„{raw}“ ist keine positive ganze Zahl" in texts(at.error), raw
        assert not [b for b in at.button if b.label == "Jetzt buchen"]
    widget(at.text_input, "eingriffe_punkte_BPL-WUR-02").input("99.999.999.999.999")  # absurd: more than any area
    button(at, "Buchen").click()
    at.run()
    assert "würden sie überziehen" in texts(at.error) and not at.success
    assert (demo_dir / "pool.gpkg").read_bytes() == ledger_before


def test_cancel_and_confirm_append_entries(demo_dir):
    store = GeoPackageStore(demo_dir)
    itv = store.read_layer(schema.INTERVENTIONS, [WURZEN])
    put_layer(store, WURZEN, schema.INTERVENTIONS,
              itv.assign(status=itv["status"].mask(itv["intervention_id"] == "STR-WUR-03", "genehmigt")))
    reservation = current(demo_dir).allocations.query("intervention_id == 'STR-WUR-03' and kind == 'reserviert'")
    allocation_id = reservation["allocation_id"].iloc[0]
    count = len(current(demo_dir).allocations)
    at = open_page("STR-WUR-03", WURZEN_GIS)
    assert "Der Bedarf ist gedeckt" in texts(at.success)
    widget(at.selectbox, "eingriffe_buchung").set_value(allocation_id)
    button(at, "Reservierung zuordnen").click()
    at.run()
    assert f"Reservierung {allocation_id} (" in texts(at.warning) and len(current(demo_dir).allocations) == count
    button(at, "Jetzt zuordnen").click()
    at.run()
    assert f"Reservierung {allocation_id} in eine Zuordnung umgebucht" in texts(at.success)
    entries = current(demo_dir).allocations
    new = entries[entries["intervention_id"] == "STR-WUR-03"].tail(2)
    assert new["kind"].tolist() == ["reserviert", "zugeordnet"]
    assert new["reverses"].iloc[0] == allocation_id
    allocated = new["allocation_id"].iloc[1]

    widget(at.selectbox, "eingriffe_buchung").set_value(allocated)
    at.run()
    assert not [b for b in at.button if b.label == "Reservierung zuordnen"]  # an allocation: only cancelling
    button(at, "Buchung stornieren").click()
    at.run()
    assert f"Zuordnung {allocated} stornieren" in texts(at.warning)
    button(at, "Jetzt stornieren").click()
    at.run()
    assert f"Buchung {allocated} storniert" in texts(at.success)
    journal = frame(at, "Buchungs-ID").set_index("Buchungs-ID")
    assert journal["Stand"].tolist()[-3:] == ["Storno", "storniert", "Storno"]
    assert journal.loc[allocation_id, "Stand"] == "storniert"
    expected = interventions.one(current(demo_dir).interventions, "STR-WUR-03")
    assert expected["open_points"] == reservation["points"].iloc[0]
    assert {m.label: m.value for m in at.metric}["Offener Bedarf"] == fmt.points(expected["open_points"])


def test_a_planner_of_another_municipality_may_not_book(demo_dir):
    at = open_page("BPL-WUR-01", User("machern.gis", "gis", MACHERN))
    assert "dürfen nur GIS-Zuständige von Wurzen oder die Administration" in texts(at.info)
    assert not [b for b in at.button if b.label == "Buchen"]


def test_an_unknown_link_is_explained(demo_dir):
    at = open_page("GIBT-ES-NICHT")
    assert "Den Eingriff „GIBT-ES-NICHT“ aus dem Link gibt es nicht" in texts(at.warning)
    assert at.selectbox(key="eingriffe_auswahl").value is None


def test_choosing_an_intervention_writes_the_link(demo_dir):
    at = open_page()
    at.selectbox(key="eingriffe_auswahl").set_value("GEW-WUR-01")
    at.run()
    assert at.query_params["eingriff"] == "GEW-WUR-01"


def test_flow_tab_shows_the_matrix_of_geo_flows(demo_dir):
    at = open_page()
    flow = flows.flows(current(demo_dir))
    matrix = next(d.value for d in at.dataframe if d.value.columns[0] == "Eingriffe in").set_index("Eingriffe in")
    expected = flows.matrix(flow)
    assert matrix.index.tolist() == expected.index.tolist()
    assert matrix["Gesamt"].tolist() == [fmt.number(round(v)) for v in expected["Gesamt"]]
    assert {m.label: m.value for m in at.metric}["Über Gemeindegrenzen gebucht"] == fmt.percent(
        flows.cross_border_share(flow))


def test_after_a_booking_the_form_shows_what_the_ledger_says_now(demo_dir):
    at = open_page("BPL-WUR-02", WURZEN_GIS)
    at.multiselect(key="eingriffe_herkunft").set_value([WURZEN])
    at.run()
    assert widget(at.radio, "eingriffe_art_BPL-WUR-02").value == "reserviert"  # "geplant": only reserving
    pool_id = widget(at.selectbox, "eingriffe_flaeche").value
    widget(at.text_input, "eingriffe_punkte_BPL-WUR-02").input("1.000")
    widget(at.text_input, "eingriffe_notiz").input("erste Rate")
    button(at, "Buchen").click()
    at.run()
    before = current(demo_dir)
    free = before.pool_areas.set_index("pool_id").loc[pool_id, "free_points"]
    assert (f"1.000\u00a0WP von Fläche {pool_id} für Eingriff BPL-WUR-02 reservieren; jetzt frei: "
            f"{fmt.points(free)}, danach frei: {fmt.points(free - 1000)}") in texts(at.warning)
    assert not at.success  # nothing booked before the second click
    button(at, "Jetzt buchen").click()
    at.run()
    assert not at.exception and not at.error, at.error
    assert f"1.000\u00a0WP von {pool_id} für BPL-WUR-02 reserviert" in texts(at.success)
    now = current(demo_dir)
    assert len(now.allocations) == len(before.allocations) + 1
    free_now = now.pool_areas.set_index("pool_id").loc[pool_id, "free_points"]
    open_now = interventions.one(now.interventions, "BPL-WUR-02")["open_points"]
    area = widget(at.selectbox, "eingriffe_flaeche")
    assert f"{fmt.points(free_now)} frei" in next(o for o in area.options if pool_id in o)
    first_free = min(now.pool_areas.set_index("pool_id").loc[area.value, "free_points"], open_now)
    assert widget(at.text_input, "eingriffe_punkte_BPL-WUR-02").value == fmt.number(first_free)
    assert widget(at.text_input, "eingriffe_notiz").value == ""
    assert not [w for w in at.warning if "reservieren; jetzt frei" in str(w.value)]  # no stale confirmation


def test_an_approved_intervention_defaults_to_allocating_and_reservations_alone_can_be_confirmed(demo_dir):
    store = GeoPackageStore(demo_dir)
    itv = store.read_layer(schema.INTERVENTIONS, [WURZEN])
    put_layer(store, WURZEN, schema.INTERVENTIONS,
              itv.assign(status=itv["status"].mask(itv["intervention_id"] == "BPL-WUR-02", "genehmigt")))
    at = open_page("BPL-WUR-02", WURZEN_GIS)
    at.multiselect(key="eingriffe_herkunft").set_value([WURZEN])
    at.run()
    assert widget(at.radio, "eingriffe_art_BPL-WUR-02").value == "zugeordnet"
    entries = interventions.active_bookings(interventions.journal(current(demo_dir), "BPL-WUR-02"))
    for _, entry in entries.iterrows():
        widget(at.selectbox, "eingriffe_buchung").set_value(entry["allocation_id"])
        at.run()
        offered = [b.label for b in at.button if b.label == "Reservierung zuordnen"]
        assert offered == (["Reservierung zuordnen"] if entry["kind"] == "reserviert" else [])


def test_cancelling_can_be_called_off_and_writes_nothing(demo_dir):
    at = open_page("STR-WUR-03", WURZEN_GIS)
    before = len(current(demo_dir).allocations)
    button(at, "Buchung stornieren").click()
    at.run()
    assert "stornieren:" in texts(at.warning) and "danach frei:" in texts(at.warning)
    button(at, "Abbrechen").click()
    at.run()
    assert not [b for b in at.button if b.label == "Jetzt stornieren"]
    assert len(current(demo_dir).allocations) == before


def test_journal_count_and_biotope_names(demo_dir):
    at = open_page("STR-WUR-03")
    journal = interventions.journal(current(demo_dir), "STR-WUR-03")
    word = "Eintrag" if len(journal) == 1 else "Einträge"
    assert f"**Buchungsjournal ({fmt.number(len(journal))} {word})**" in [m.value for m in at.markdown]
    caption = texts(at.caption)
    assert re.search(r"Biotop vorher [A-Z0-9.]+ – \w", caption), caption
    fields = next(d.value for d in at.dataframe if d.value.columns[0] == "Merkmal").set_index("Merkmal")["Wert"]
    assert " – " in fields.loc[schema.label("biotope_before", schema.INTERVENTIONS)]


def test_the_list_and_the_flows_follow_every_filter_and_write(demo_dir):
    """The formatted list and the flows are cached per data version and filter: switching filters back and forth
    shows each filter's rows, and a write in between shows the new figures at once."""
    at = open_page()
    for chosen in ([WURZEN], [], [WURZEN]):
        at.multiselect(key="eingriffe_gemeinden").set_value(chosen)
        at.run()
        itv = current(demo_dir).interventions
        expected = itv[itv["ags"].isin(chosen)] if chosen else itv
        assert frame(at, "Eingriffs-ID")["Eingriffs-ID"].tolist() == expected["intervention_id"].tolist()
    entry = current(demo_dir).allocations.query("kind == 'zugeordnet' and points > 0").iloc[0]
    booking.cancel(GeoPackageStore(demo_dir), User("admin", "admin"), allocation_id=entry["allocation_id"])
    at.multiselect(key="eingriffe_gemeinden").set_value([])
    at.run()
    after = current(demo_dir)
    listed = frame(at, "Eingriffs-ID").set_index("Eingriffs-ID")
    covered = after.interventions.set_index("intervention_id")["covered_points"][entry["intervention_id"]]
    assert listed.loc[entry["intervention_id"], "Gebucht (WP)"] == fmt.number(round(covered))
    matrix = next(d.value for d in at.dataframe if d.value.columns[0] == "Eingriffe in").set_index("Eingriffe in")
    assert matrix["Gesamt"].tolist() == [fmt.number(round(v)) for v in flows.matrix(flows.flows(after))["Gesamt"]]


def test_the_approval_notice_of_an_intervention_is_added_and_opened_by_its_municipality(demo_dir):
    leipzig_gis = User("leipzig.gis", "gis", schema.municipality("leipzig").ags)
    at = open_page("STR-LEI-05", WURZEN_GIS)
    assert [e.label for e in at.expander if e.label.startswith("Dokumente zum Eingriff")] == [
        "Dokumente zum Eingriff (0)"]
    assert not any(b.label == "Dokument speichern" for b in at.button)  # Wurzen may not add to Leipzig's
    assert "Dokumente hinzufügen dürfen GIS-Zuständige von Leipzig" in texts(at.caption)

    at = open_page("STR-LEI-05", leipzig_gis)
    next(s for s in at.selectbox if s.label == "Dokumentart").set_value("Genehmigungsbescheid")
    widget(at.get("file_uploader"), "monitoring_eingriff_dateien_STR-LEI-05").set_value(
        [("genehmigung.pdf", PDF, "application/pdf")])
    button(at, "Dokument speichern").click()
    at.run()
    assert not at.exception, at.exception
    assert any("Genehmigungsbescheid zu STR-LEI-05 gespeichert (1 Datei)" in s.value for s in at.success)
    stored = GeoPackageStore(demo_dir).read_monitoring().documents.iloc[-1]
    assert stored[["target", "target_id", "kind", "file_name"]].tolist() == [
        "intervention", "STR-LEI-05", "Genehmigungsbescheid", "genehmigung.pdf"]
    assert [e.label for e in at.expander if e.label.startswith("Dokumente zum Eingriff")] == [
        "Dokumente zum Eingriff (1)"]
    assert any(b.proto.label == "genehmigung.pdf herunterladen" for b in at.get("download_button"))

    at = open_page("STR-LEI-05")  # not signed in: the notice is listed, its file is not offered
    assert "Dokumente zum Eingriff (1)" in [e.label for e in at.expander]
    assert not any(b.proto.label == "genehmigung.pdf herunterladen" for b in at.get("download_button"))
