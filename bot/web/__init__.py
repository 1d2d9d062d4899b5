"""HTTP: every endpoint acrbot serves, assembled in one place (``app.py``).

``app.py`` builds one worker's ASGI app from the services; ``slack_events.py``,
``alerts.py`` and ``health.py`` are its routes; ``routes.py`` maps (method,
path) to handlers and reads bodies with a size cap and a deadline;
``worker.py`` is the gunicorn worker (uvicorn's event loop) that closes
connections whose request head does not arrive in time; ``serve.py`` runs
gunicorn with them.
"""
