# One image for every process of the helpline (Procfile):
#   release: helpline db upgrade      web: the default command      worker: helpline worker
# Slim, runs as an unprivileged user, espeak-ng and lame inside for TTS_ENGINE=espeak.
# compose.yaml runs it with PostgreSQL and Redis; docs/operations.md says how to keep it running.

FROM python:3.12-slim-bookworm AS build
# --build-arg EXTRAS=[s3] for prompts in an S3-compatible bucket (AUDIO_S3_BUCKET).
ARG EXTRAS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY helpline/ helpline/
COPY workers/ workers/
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir ".${EXTRAS}"

FROM python:3.12-slim-bookworm
# Debian's security updates are wanted, so the packages are not pinned to a version (DL3008).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng lame \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin helpline
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The council's data files (keywords, templates, flows, the sample Local Offer), read-only.
COPY data/ data/
COPY sms_templates/ sms_templates/
COPY ivr_flows/ ivr_flows/
RUN mkdir instance && chown helpline:helpline instance
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HELPLINE_INSTANCE_PATH=/app/instance \
    HELPLINE_DATA_DIR=/app/data \
    HELPLINE_SMS_TEMPLATES_DIR=/app/sms_templates \
    HELPLINE_IVR_FLOWS_DIR=/app/ivr_flows \
    PORT=8000
USER 10001:10001
EXPOSE 8000
# WEB_CONCURRENCY sets gunicorn's workers; sh expands PORT.
CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:${PORT} --access-logfile - helpline.wsgi:app"]
