"""From an uploaded file to a published layer: ingest, columns, validate, diff, publish."""
