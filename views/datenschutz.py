"""Datenschutzhinweise: what the app stores about people, why, how long, who sees what, rights."""

from __future__ import annotations

import streamlit as st

from geo.access import privacy, sessions, throttle

st.title("Datenschutzhinweise")
st.caption("Für den gemeinsamen Kompensationsflächenpool der Stadt Leipzig und der Gemeinden des Wurzener Landes.")

st.header("Welche personenbezogenen Daten gespeichert werden")
st.markdown(f"""
- **Eigentümer von Poolflächen**: Name des Eigentümers oder Trägers und die *Eigentümerart* (öffentlich,
  Unternehmen, privat). Ist der Eigentümer eine Privatperson, ist sein Name ein personenbezogenes Datum.
- **Benutzerkonten** der Mitarbeitenden: Benutzername, Anzeigename, Rolle, Gemeinde und ein gesalzener
  Passwort-Hash (bcrypt); keine Passwörter im Klartext.
- **Nachvollziehbarkeit**: Wer wann gebucht, hochgeladen oder wiederhergestellt hat (Benutzername und Zeitpunkt im
  Buchungsjournal und in den Änderungen).
- **Anmeldung**: ein signiertes Anmelde-Cookie (`{sessions.COOKIE}`, nur technisch notwendig, kein Tracking), der
  Zeitpunkt der letzten Abmeldung je Benutzer und die Zahl fehlgeschlagener Anmeldeversuche je Benutzername und
  Adresse (nur als Prüfsumme gespeichert).
- **Letzter Besuch** der Startseite je Benutzername (nur der Zeitpunkt), damit „Was ist neu“ zeigen kann, was seit
  dem letzten Besuch dazugekommen ist.
- **Ansprechpartner der Partner** (Name, Funktion, dienstliche E-Mail und Telefon) auf der Seite „Partner“.
""")

st.header("Wozu")
st.markdown("""
Der Flächenpool erfüllt die Pflicht, Eingriffe in Natur und Landschaft auszugleichen (§§ 13–18 BNatSchG,
SächsNatSchG), und führt das Ökokonto der Partner. Eigentümer werden gebraucht, um Maßnahmen mit ihnen umzusetzen
und die Flächen rechtlich zu sichern; die Namen der Bearbeitenden machen jede Buchung und jede Änderung
nachprüfbar. Rechtsgrundlage ist die Erfüllung dieser öffentlichen Aufgabe (Art. 6 Abs. 1 lit. e DSGVO).
""")

st.header("Wer was sieht")
st.markdown(f"""
- **Namen privater Eigentümer** sehen nur die GIS-Zuständigen der Gemeinde, in der die Fläche liegt, und die
  Administration. Alle anderen – Besucher ohne Anmeldung, Lesezugänge, GIS-Zuständige anderer Gemeinden – sehen
  „{privacy.PRIVATE_OWNER}“. Fehlt die Eigentümerart, gilt der Eigentümer als Privatperson.
- **Berichte und Downloads** (Foliensatz, PDF, Excel, GeoPackage, GeoJSON) sind öffentliche Fassungen: sie nennen
  keine privaten Eigentümer und sagen das auf ihrer ersten Seite bzw. in ihren Metadaten.
- Öffentliche Stellen, Unternehmen, Genossenschaften, Kirchgemeinden und Vereine werden mit Namen gezeigt.
- Protokolle des Servers enthalten keine Namen von Eigentümern.
""")

st.header("Wie lange")
st.markdown(f"""
- Flächen und Eigentümer: solange die Fläche im Pool geführt wird; frühere Stände bleiben als Nachweis des
  Ökokontos erhalten, solange die Buchungen auf ihnen aufbewahrt werden müssen.
- Buchungsjournal und Änderungen: dauerhaft (manipulationssicher verkettet, es wird nichts gelöscht).
- Anmeldung: das Cookie gilt {int(sessions.MAX_AGE_S // 3600)} Stunden oder bis zur Abmeldung; Fehlversuche
  werden nach {int(throttle.FORGET_AFTER_S // 3600)} Stunden ohne weiteren Fehlversuch vergessen.
""")

st.header("Ihre Rechte")
st.markdown("""
Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), Löschung (Art. 17), soweit keine
Aufbewahrungspflicht entgegensteht, Einschränkung der Verarbeitung (Art. 18) und Widerspruch (Art. 21), sowie das
Recht auf Beschwerde bei der Sächsischen Datenschutz- und Transparenzbeauftragten. Wenden Sie sich dazu an die
Gemeinde, in der Ihre Fläche liegt, oder an die Administration des Flächenpools.
""")
