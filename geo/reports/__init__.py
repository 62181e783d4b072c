"""Council reports: charts, slides, PDF, spreadsheets and geodata (no store access)."""
