# Flächenpool: the app (serve.py: pages plus the sign-in routes) in one container, as a non-root user.
# Build: docker build -t flaechenpool .   Run with PostGIS: docker compose up (compose.yaml).
# Configuration only through environment variables and Streamlit secrets (README, Settings).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
# MapLibre GL JS for the map, from the npm package pinned in package-lock.json; npm itself is removed again.
COPY package.json package-lock.json ./
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && npm ci --no-audit --no-fund \
    && apt-get purge -y --auto-remove npm \
    && rm -rf /var/lib/apt/lists/* /root/.npm

COPY . .
# The app copies Leaflet and MapLibre into static/vendor/ at start-up, so that folder belongs to the app user;
# /daten holds the GeoPackage store (or, with PostGIS, the users file, sign-in state and backup record).
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin flaechenpool \
    && mkdir -p /daten /app/static/vendor \
    && chown -R flaechenpool:flaechenpool /daten /app/static/vendor

ENV FLAECHENPOOL_DATA=/daten \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

USER 10001
VOLUME ["/daten"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
CMD ["streamlit", "run", "serve.py"]
