"""The accounting model: valuation, ledger rules, bookings, figures, matching."""
