"""WSGI entry point: `gunicorn helpline.wsgi:app`."""

from helpline import create_app, warn_about_settings
from helpline.directory.warmup import keep_warm

app = create_app()
warn_about_settings(app)
# Each gunicorn worker builds the search index as it starts, before it takes a request, and
# rebuilds it in the background after an import: no family's text waits for a build.
keep_warm(app)
