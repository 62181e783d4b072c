"""argparse in German: a translation of exactly the strings argparse shows to users.

argparse looks its words up through the module-level ``argparse._`` and ``argparse.ngettext``
(``gettext``). :func:`installed` points both at :class:`ArgparseGerman` while the command
line is built and parsed, and puts the originals back afterwards. Strings argparse raises
only for programming mistakes (conflicting options, …) stay English.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterator
from contextlib import contextmanager

CATALOG: dict[str, str] = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "subcommands": "Befehle",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "Argument %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "one of the arguments %s is required": "eine dieser Angaben ist nötig: %s",
    "not allowed with argument %s": "nicht zusammen mit %s erlaubt",
    "unrecognized arguments: %s": "unbekannte Argumente: %s",
    "unexpected option string: %s": "unerwartete Option: %s",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Option: %(option)s passt zu %(matches)s",
    "ignored explicit argument %r": "überzähliger Wert %r",
    "expected one argument": "erwartet einen Wert",
    "expected at most one argument": "erwartet höchstens einen Wert",
    "expected at least one argument": "erwartet mindestens einen Wert",
    "invalid choice: %(value)r (choose from %(choices)s)": "ungültige Wahl: %(value)r (möglich: %(choices)s)",
    "invalid %(type)s value: %(value)r": "ungültiger Wert (%(type)s): %(value)r",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "unbekannter Befehl %(parser_name)r (möglich: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "„%(filename)s“ lässt sich nicht öffnen: %(error)s",
}
PLURALS: dict[str, tuple[str, str]] = {
    "expected %s argument": ("erwartet %s Wert", "erwartet %s Werte"),
}


class ArgparseGerman(gettext.NullTranslations):
    """German for argparse's user-facing strings; anything else passes through unchanged."""

    def gettext(self, message: str) -> str:
        return CATALOG.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        singular, plural = PLURALS.get(msgid1, (msgid1, msgid2))
        return singular if n == 1 else plural


@contextmanager
def installed() -> Iterator[None]:
    """argparse speaks German inside the block (building parsers, parsing, help and errors)."""
    translations = ArgparseGerman()
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translations.gettext, translations.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
