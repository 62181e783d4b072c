// Streamlit's own interface texts in German (it has no setting for its language). ui/lang.py puts this
// script into every page the launcher serves. It rewrites Streamlit's fixed English texts (buttons,
// menus, tooltips, screen-reader labels, the "Page not found" notice, the file uploader's sizes) as
// they appear; the app's own texts and its data are German already and never match.
(function () {
    "use strict";
    var TEXTS = {
        "Skip to main content": "Zum Hauptinhalt springen",
        "Select all": "Alle auswählen",
        "Clear all": "Alle entfernen",
        "Clear value": "Wert löschen",
        "Clear entry": "Eingabe löschen",
        "Clear selection": "Auswahl aufheben",
        "Selected values": "Gewählte Werte",
        "No results": "Keine Treffer",
        "Open": "Öffnen",
        "Close": "Schließen",
        "Show/hide columns": "Spalten ein- oder ausblenden",
        "Download as CSV": "Als CSV herunterladen",
        "Search": "Suchen",
        "Close Search": "Suche schließen",
        "Next Result": "Nächster Treffer",
        "Previous Result": "Voriger Treffer",
        "Fullscreen": "Vollbild",
        "View fullscreen": "Vollbild",
        "Close fullscreen": "Vollbild schließen",
        "Exit fullscreen": "Vollbild schließen",
        "Sort ascending": "Aufsteigend sortieren",
        "Sort descending": "Absteigend sortieren",
        "Pin column": "Spalte fixieren",
        "Unpin column": "Spalte lösen",
        "Hide column": "Spalte ausblenden",
        "Autosize": "Breite anpassen",
        "Copy column name": "Spaltennamen kopieren",
        "Dataframe column menu": "Spaltenmenü",
        "Add row": "Zeile hinzufügen",
        "Delete row(s)": "Zeilen löschen",
        "Copy to clipboard": "In die Zwischenablage kopieren",
        "Copied to clipboard": "In die Zwischenablage kopiert",
        "Link to heading": "Link zu dieser Überschrift",
        "Main menu": "Hauptmenü",
        "Sidebar": "Seitenleiste",
        "App pages": "Seiten",
        "Collapse sidebar": "Seitenleiste einklappen",
        "Expand sidebar": "Seitenleiste ausklappen",
        "View more": "Mehr anzeigen",
        "View less": "Weniger anzeigen",
        "Notifications": "Hinweise",
        "Navigate to home page": "Zur Startseite",
        "Scroll tabs left": "Reiter nach links",
        "Scroll tabs right": "Reiter nach rechts",
        "Button action menu": "Aktionen",
        "Increment": "Erhöhen",
        "Decrement": "Verringern",
        "Show password": "Passwort anzeigen",
        "Hide password": "Passwort verbergen",
        "Drag and drop file here": "Datei hierher ziehen",
        "Drag and drop files here": "Dateien hierher ziehen",
        "Browse files": "Dateien auswählen",
        "Upload": "Hochladen",
        "Add files": "Dateien hinzufügen",
        "Delete": "Entfernen",
        "Remove file": "Datei entfernen",
        "Press Enter to apply": "Mit Enter übernehmen",
        "Press Enter to submit form": "Mit Enter absenden",
        "Press ⌘+Enter to apply": "Mit ⌘+Enter übernehmen",
        "Press Ctrl+Enter to apply": "Mit Strg+Enter übernehmen",
        "Running...": "Läuft …",
        "Stop": "Anhalten",
        "Stop script": "Skript anhalten",
        "Rerun": "Neu laden",
        "Connecting": "Verbinde …",
        "Please wait...": "Bitte warten …",
        "Page not found": "Seite nicht gefunden",
        "Choose an option": "Bitte wählen …",
        "Choose options": "Bitte wählen …",
        "Choose date": "Datum wählen",
        "Previous month": "Voriger Monat",
        "Next month": "Nächster Monat",
        "Previous page": "Vorige Seite",
        "Next page": "Nächste Seite",
        "Pagination": "Seiten",
        "Loading...": "Lädt …",
        "Error": "Fehler",
        "Theme": "Farbschema",
        "file upload": "Datei hochladen",
        "add icon": "Hinzufügen",
        "Show data": "Daten anzeigen",
        "Download as PNG": "Als PNG herunterladen",
        "Download as SVG": "Als SVG herunterladen",
        "Copy Vega-Lite spec": "Vega-Lite-Beschreibung kopieren"
    };
    var CHANNELS = {"fill color": "Füllfarbe", "color": "Farbe", "stroke color": "Linienfarbe", "size": "Größe",
                    "shape": "Form", "opacity": "Deckkraft"};
    function values(text) {  // Vega's "values from 0 to 300", "5 values: a, b, ending with z"
        return text.replace(/^values from (.*) to (.*)$/, "Werte von $1 bis $2")
            .replace(/^(\d+) values?: /, "$1 Werte: ").replace(/, ending with /, " … bis ");
    }
    function titled(title) { return title && title.trim() ? " „" + title + "“" : ""; }
    var UNITS = {"B": "Byte", "KB": "kB", "MB": "MB", "GB": "GB"};
    var PATTERNS = [
        // The file uploader: "110.6KB" and "Limit 50MB per file • GPKG, ZIP".
        [/^(\d+)(?:\.(\d+))?(B|KB|MB|GB)$/, function (m, whole, part, unit) {
            return whole + (part ? "," + part : "") + "\u00a0" + UNITS[unit];
        }],
        [/^(?:Limit )?(\d+)(?:\.(\d+))?(KB|MB|GB) per file(.*)$/, function (m, whole, part, unit, rest) {
            return "höchstens " + whole + (part && Number(part) ? "," + part : "") + "\u00a0" + unit + " je Datei" + rest;
        }],
        [/^File is too large\. Maximum size is (\d+) bytes\.$/, function (m, bytes) {
            return "Die Datei ist zu groß: höchstens " + Math.round(Number(bytes) / 1048576) + "\u00a0MB.";
        }],
        [/^File type not allowed\.$/, function () { return "Dieser Dateityp ist nicht erlaubt."; }],
        [/^You have requested page \/(.*), but no corresponding file was found in the app's pages\/ directory\. Running the app's main page\.$/,
            function (m, page) { return "Die Seite „/" + page + "“ gibt es nicht. Angezeigt wird die Startseite."; }],
        [/^The page that you have requested does not seem to exist\. Running the app's main page\.$/,
            function () { return "Die angeforderte Seite gibt es nicht. Angezeigt wird die Startseite."; }],
        [/^(\d+) matches$/, function (m, n) { return n + " Treffer"; }],
        [/^View (\d+) more$/, function (m, n) { return n + " weitere anzeigen"; }],
        // A chart's toolbar names the chart: "Fullscreen: <its description>".
        [/^(Show data|Download as PNG|Download as SVG|Copy Vega-Lite spec|Fullscreen|View fullscreen): ([\s\S]+)$/,
            function (m, action, what) { return TEXTS[action] + ": " + what; }],
        // The date picker's fields: "month, Stichtag".
        [/^(day|month|year), (.+)$/, function (m, part, what) {
            return {"day": "Tag", "month": "Monat", "year": "Jahr"}[part] + ", " + what;
        }],
        [/^Help for (.+)$/, function (m, what) { return "Hilfe zu " + what; }],
        [/^Remove (.+)$/, function (m, what) { return what + " entfernen"; }],
        [/^(\d+) options? available\.$/, function (m, n) { return n + (n === "1" ? " Eintrag" : " Einträge") + " zur Wahl."; }],
        [/^No options available\.?$/, function () { return "Nichts zur Wahl."; }],
        // The charts' screen-reader descriptions (Vega): axes and legends.
        [/^([XY])-axis(?: titled '(.*?)')? for an? (?:\w+ )?scale with (.*)$/, function (m, axis, title, rest) {
            return axis + "-Achse" + titled(title) + ", " + values(rest);
        }],
        [/^(?:Symbol|Gradient|Discrete) legend(?: titled '(.*?)')? for (.+?) with (.*)$/, function (m, title, channel, rest) {
            return "Legende" + titled(title) + " (" + (CHANNELS[channel] || channel) + "), " + values(rest);
        }]
    ];
    var ATTRIBUTES = ["aria-label", "title", "placeholder", "aria-placeholder"];

    function german(text) {
        var core = text.trim();
        if (!core) { return text; }
        if (Object.prototype.hasOwnProperty.call(TEXTS, core)) { return text.replace(core, TEXTS[core]); }
        for (var i = 0; i < PATTERNS.length; i++) {
            if (PATTERNS[i][0].test(core)) { return text.replace(core, core.replace(PATTERNS[i][0], PATTERNS[i][1])); }
        }
        return text;
    }

    function textNode(node) {
        var parent = node.parentElement;
        if (!parent || parent.closest("script, style, textarea, [contenteditable='true']")) { return; }
        var value = german(node.nodeValue);
        if (value !== node.nodeValue) { node.nodeValue = value; }
    }

    function element(el) {
        ATTRIBUTES.forEach(function (name) {
            var old = el.getAttribute(name);
            if (old === null) { return; }
            var value = german(old);
            if (value !== old) { el.setAttribute(name, value); }
        });
    }

    function tree(root) {
        if (root.nodeType === Node.TEXT_NODE) { textNode(root); return; }
        if (root.nodeType !== Node.ELEMENT_NODE) { return; }
        element(root);
        root.querySelectorAll("[" + ATTRIBUTES.join("], [") + "]").forEach(element);
        var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (var node = walker.nextNode(); node; node = walker.nextNode()) { textNode(node); }
    }

    function start() {
        tree(document.body);
        new MutationObserver(function (records) {
            records.forEach(function (record) {
                if (record.type === "attributes") { element(record.target); }
                else if (record.type === "characterData") { textNode(record.target); }
                else { record.addedNodes.forEach(tree); }
            });
        }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: ATTRIBUTES});
    }

    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
}());
