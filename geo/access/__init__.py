"""Who may do what, and the embedded users file."""
