# The production image: one image, three roles (web, worker, beat), chosen by
# the command docker-compose.yml gives each service.
FROM python:3.11-slim-bookworm

# WeasyPrint needs pango; libharfbuzz-subset0 makes PDF font subsetting ~4x faster.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings that pass the production checks, not real secrets.
RUN DEBUG=false SECRET_KEY=build-only-build-only-build-only-build-only-build-only ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput
RUN useradd --create-home escaportal && mkdir -p /data/media var && chown -R escaportal /data var
USER escaportal
EXPOSE 8000
CMD ["gunicorn", "escaportal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
