"""WSGI entry point for gunicorn (see docker-compose.yml)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escaportal.settings")

application = get_wsgi_application()
