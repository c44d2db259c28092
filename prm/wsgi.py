import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
application = get_wsgi_application()

from prm.core.startup import settle  # noqa: E402 - needs the application's settings

settle()
