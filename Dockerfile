# bookworm: its postgresql-client 15 matches the compose file's postgres:15 (pg_dump and
# psql clone the template schema and take backups).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PRM_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends gettext postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN python scripts/compile_messages.py \
    && SECRET_KEY=build-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
       python manage.py collectstatic --noinput
RUN useradd --create-home prm && mkdir -p /app/media && chown prm /app/media
USER prm
EXPOSE 8000
CMD ["gunicorn", "prm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
