"""Running the bot as a service: the HTTP endpoint (webhook, health, metrics),
readiness checks, JSON logs, backups and usage counts."""
