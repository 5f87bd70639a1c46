# The service image: the project installed with pip from pyproject.toml, run as a
# non-root user. Server mode: point INCIDENTS_CLICKHOUSE_URL at ClickHouse (see
# docker-compose.yml); without it the embedded store writes under /data, one worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The package metadata first, then the code: the same files pip needs, nothing else.
COPY pyproject.toml README.md ./
COPY vocabulary ./vocabulary
COPY clickhouse ./clickhouse
COPY ingest ./ingest
COPY service ./service
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin incidents \
    && mkdir /data \
    && chown incidents /data

USER incidents
ENV INCIDENTS_HOST=0.0.0.0 \
    INCIDENTS_PORT=8080 \
    INCIDENTS_DATA_DIR=/data
EXPOSE 8080

# The slim image has no curl; the standard library asks /healthz instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('INCIDENTS_PORT', '8080') + '/healthz', timeout=2)"

CMD ["incidents", "serve"]
