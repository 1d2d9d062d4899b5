"""HTTP serving for every endpoint acrbot exposes: a small ASGI router and its worker.

``routes.py`` maps (method, path) to handlers and reads bodies with a size
cap and a deadline; ``worker.py`` is the gunicorn worker (uvicorn's event
loop) that closes connections whose request head does not arrive in time;
``serve.py`` runs gunicorn with them. Slack's endpoints are added by
``bot/slack/server.py``; other endpoints (readiness, metrics, alert
webhooks) are added the same way, with ``Router.add``.
"""
