"""Pure view-models of the pages: German tables, lists and journals (no store access)."""
