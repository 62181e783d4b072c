"""The app's exception family.

Every error a user can act on derives from :class:`FlaechenpoolError` and carries a
German message meant for the UI. Pages catch only this base class; anything else is
a bug and should surface as one.
"""

from __future__ import annotations


class FlaechenpoolError(Exception):
    """Base class of all errors with a German, user-facing message.

    *details* keeps the original technical text (e.g. GDAL's English error) for a details
    expander on the page or ``--details`` on the command line; the message never needs it.
    """

    def __init__(self, message: str = "", *, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class BookingError(FlaechenpoolError, ValueError):
    """A booking was refused (would overdraw an area, wrong status, ...)."""


class PermissionDenied(FlaechenpoolError, PermissionError):
    """The user may not do what they asked for."""


class DataError(FlaechenpoolError, ValueError):
    """Stored or uploaded data cannot be used as it is."""


class StoreError(FlaechenpoolError, OSError):
    """Reading or writing the store failed."""


class SignInRefused(FlaechenpoolError, PermissionError):
    """A sign-in was refused: wrong name or password, or too many failures (the message says until when)."""


class RequestError(BookingError):
    """A request across borders cannot be made, approved, declined or withdrawn as asked."""
