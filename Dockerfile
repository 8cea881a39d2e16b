# The production image: one image, three roles (web, worker, beat), chosen by
# the command docker-compose.yml gives each service.
FROM python:3.11-slim-bookworm

# WeasyPrint needs pango; libharfbuzz-subset0 makes PDF font subsetting ~4x faster.
# The backup service runs pg_dump and pg_restore, whose major version must be at
# least the server's (postgres:16 in docker-compose.yml): PostgreSQL's own
# repository has it, Debian bookworm only 15.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl --fail -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
    > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings that pass the production checks, not real secrets.
RUN DEBUG=false SECRET_KEY=build-only-build-only-build-only-build-only-build-only ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --create-home escaportal && mkdir -p /data/media /data/backups var && chown -R escaportal /data var
USER escaportal
EXPOSE 8000
CMD ["gunicorn", "escaportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
