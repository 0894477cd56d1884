# syntax=docker/dockerfile:1.7
#
# Verity: one image for the API (`verity serve`, the default), the webhook worker (`verity worker`) and
# the migration Job (`verity migrate`). Migrations never run when the container starts: run them as a
# separate step, as the schema owner (docs/deployment.md). `verity serve` migrates by itself only when
# no DATABASE_URL is set (the embedded development server); in a deployment DATABASE_URL is always set.
#
#   docker build -t verity:0.1.0 .
#
# Both stages must use the same Python image: the virtual environment built in the first one links
# to /usr/local/bin/python3.11 of that image. Pin a digest (python:3.11-slim@sha256:...) for
# reproducible builds.
ARG PYTHON_IMAGE=python:3.11-slim

# --- GraphiQL's browser assets, exactly app/api/graphiql/package-lock.json --------------------------
FROM node:20-slim AS graphiql
WORKDIR /assets
COPY app/api/graphiql/package.json app/api/graphiql/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# --- builder: resolve nothing, install exactly uv.lock into /app/.venv -------------------------------
FROM ${PYTHON_IMAGE} AS builder
RUN pip install --no-cache-dir uv==0.13.9

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# Dependencies first, from the lock alone, so code changes do not reinstall them.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-project

# Then the project. The build context is an allow-list (.dockerignore): pyproject.toml, uv.lock,
# README.md (hatchling reads it), alembic.ini, app/, alembic/, and the committed contracts openapi/
# and graphql/ when present (they are created empty otherwise; nothing reads them at run time).
COPY . .
# The project is installed editable (uv's default), on purpose: app/cli.py finds alembic.ini and
# alembic/ next to the source tree (Path(__file__).parent.parent), which a site-packages install
# (--no-editable) would break. The .pth file points at /app, the same path in the runtime stage.
RUN --mount=type=cache,target=/root/.cache/uv \
    mkdir -p openapi graphql \
    && uv sync --frozen --no-dev \
    && /app/.venv/bin/python -m compileall -q --invalidation-mode checked-hash app alembic

# --- runtime: Python, the environment and the code; no uv, no compiler, not root ----------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="verity" \
      org.opencontainers.image.description="System of record for assessment and quality assurance in vocational-qualification centres"

# VERITY_DATA_DIR is used only without DATABASE_URL (embedded server, development keys): keep it off
# /app, which belongs to root and is read-only for the service user.
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONFAULTHANDLER=1 \
    VIRTUAL_ENV=/app/.venv \
    PATH="/app/.venv/bin:${PATH}" \
    VERITY_DATA_DIR=/tmp/verity

RUN groupadd --system --gid 10001 verity \
    && useradd --system --uid 10001 --gid verity --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin verity

WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed from inside.
COPY --from=builder /app/.venv /app/.venv
COPY --from=builder /app/alembic.ini /app/alembic.ini
COPY --from=builder /app/app /app/app
COPY --from=graphiql /assets/node_modules /app/app/api/graphiql/node_modules
COPY --from=builder /app/alembic /app/alembic
COPY --from=builder /app/openapi /app/openapi
COPY --from=builder /app/graphql /app/graphql

# Numeric, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

EXPOSE 8000

# /health says the process is up (no curl in slim: Python's urllib). Kubernetes ignores HEALTHCHECK
# and uses the chart's probes; when running the worker or a migration with plain Docker, pass
# --no-healthcheck, since they serve no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

ENTRYPOINT ["verity"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
