"""WSGI entry point: `gunicorn helpline.wsgi:app`."""

from helpline import create_app

app = create_app()
