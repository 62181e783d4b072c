"""The web map and its view state (no store access)."""
