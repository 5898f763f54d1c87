"""WSGI entry point: gunicorn wsgi:app, or flask --app wsgi ..."""

from kkbweb import create_app

app = create_app()
