# Newcomer bot. Build:  docker build -t newcomer-bot .
# Run:    docker run -e TELEGRAM_BOT_TOKEN=... -v "$PWD/content:/app/content" \
#                    -v newcomer-data:/data newcomer-bot
# Or with docker-compose.yml: put the settings in .env, then `docker compose up -d`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BOT_DATABASE=/data/bot.sqlite3 \
    BOT_CONTENT_DIR=/app/content \
    BOT_LOCALES_DIR=/app/locales \
    BOT_HTTP_HOST=0.0.0.0 \
    BOT_HTTP_PORT=8080

WORKDIR /app
# Exact versions with hashes from the lock file (the same one `make run` installs),
# then the project itself without resolving anything again.
COPY requirements/run.txt ./requirements/run.txt
RUN pip install --require-hashes -r requirements/run.txt
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY locales ./locales
RUN pip install --no-deps --no-build-isolation . \
    && pybabel compile -d locales -D messages \
    && useradd --system --uid 10001 --home-dir /app bot \
    && mkdir -p /data /backups \
    && chown bot /data /backups
COPY content ./content

USER bot
# Content (edited by editors) and the database (state) live on volumes.
VOLUME ["/app/content", "/data"]
# Webhook (with BOT_WEBHOOK_URL), /healthz, /readyz, /metrics. Inside the container
# it listens on all interfaces; publish it to the host's loopback only.
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.ops.probe", "/healthz"]
STOPSIGNAL SIGTERM
CMD ["newcomer-bot", "run"]
