"""WSGI entry point: `gunicorn helpline.wsgi:app`."""

from helpline import create_app, warn_about_settings

app = create_app()
warn_about_settings(app)
