"""WSGI entry point: `gunicorn app.wsgi:server`."""

from app.factory import create_app
from app.logs import configure_logging
from app.settings import Settings

settings = Settings.from_env()
configure_logging(settings.log_level, log_format=settings.log_format)
server = create_app(settings)
