"""Operating the app: backups and restores, structured logs, the administrators' status figures."""
