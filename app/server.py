"""Runs the app under gunicorn from `catalog serve`."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from app.settings import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self.settings, self.options = settings, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app (and its own connection pool) after the fork.
        from app.factory import create_app
        from app.logs import configure_logging

        configure_logging(self.settings.log_level)
        return create_app(self.settings)


def run_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "timeout": 120,
        "accesslog": "-",
    }
    _Gunicorn(settings, options).run()
