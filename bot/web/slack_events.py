"""``POST /slack/events``: every Slack request (events, commands, interactivity) enters here.

Each request is checked before Bolt sees it, cheapest first: size (413, in
the router), UTF-8 (400), Slack's signature over a fresh integer timestamp
(401; the body is never logged), then the shape Slack sends (400). Only
signed, well-formed requests reach Bolt, on a thread of the request pool, so
a listener never meets a body Slack could not have sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot import logs
from bot.web.refusals import REFUSALS
from bot.web.routes import Request, Response

log = logging.getLogger(__name__)


def slack_events(app: App, signing_secret: str, pool: Executor) -> Callable[[Request], Any]:
    verifier = SignatureVerifier(signing_secret)

    async def events(request: Request) -> Response:
        body = request.body
        if not _utf8(body):
            return Response.error(400, "body is not UTF-8")
        if not signed(verifier, request.headers, body):
            # Never the body: it is anyone's text, up to a megabyte (log forging, amplification).
            REFUSALS.refused("slack", "no valid Slack signature", request.client, logging.INFO)
            return Response.error(401, "invalid request")
        if not well_formed(body, request.headers.get("content-type")):
            return Response.error(400, "malformed Slack payload")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, dispatch, app, request)

    return events


def signed(verifier: SignatureVerifier, headers: Mapping[str, str], body: bytes) -> bool:
    """Slack's v0 signature over a timestamp within five minutes (Bolt checks it again)."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False  # slack_sdk would raise on int("abc")
    return verifier.is_valid(body, timestamp, signature)


def dispatch(app: App, request: Request) -> Response:
    with logs.bound_request_id():  # every line of this request, lazy listeners' too
        return _dispatch(app, request)


def _dispatch(app: App, request: Request) -> Response:
    bolt = BoltRequest(
        body=request.body.decode("utf-8"),
        query=request.query,
        headers={name: [value] for name, value in request.headers.items()},
    )
    reply: BoltResponse = app.dispatch(bolt)
    headers = [
        (k, v) for k, values in reply.headers.items() for v in values if k != "content-length"
    ]
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "text/plain")
    others = tuple((k, v) for k, v in headers if k.lower() != "content-type")
    body = reply.body.encode("utf-8") if isinstance(reply.body, str) else bytes(reply.body or b"")
    return Response(reply.status, body, content_type, others)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def well_formed(body: bytes, content_type: str | None) -> bool:
    """The shape Slack sends: a JSON object, or a form (``payload`` holding a JSON object).

    Only the envelope is checked (its ``type``, and the nested objects
    listeners index into), so a body Slack could not have sent is a 400 here,
    not an exception in a listener.
    """
    try:
        text = body.decode("utf-8")
        if (content_type or "").startswith("application/json") or text.lstrip().startswith("{"):
            return _envelope(json.loads(text), objects=("event",))
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        if "payload" in form:
            return _envelope(json.loads(form["payload"][0]), objects=("user", "team", "channel"))
        if "command" in form:
            required = ("command", "user_id", "channel_id", "response_url")
            return all(form.get(key, [""])[0] for key in required) and _http(
                form["response_url"][0]
            )
        return bool(form)
    except ValueError:
        return False


def _envelope(data: Any, objects: tuple[str, ...]) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return False
    if any(data.get(key) is not None and not isinstance(data[key], dict) for key in objects):
        return False
    if (data["type"] == "event_callback" or "event" in data) and not _event(data.get("event")):
        return False  # Slack's events always carry one; Bolt and the listeners index into it
    if data["type"].startswith("view_") and not _view(data.get("view")):
        return False  # Bolt reads view.type for every view payload
    if "actions" not in data:
        return True
    # Slack never sends an empty list; Bolt reads actions[0] for any custom middleware.
    actions = data["actions"]
    if not (isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)):
        return False
    return data["type"] != "block_actions" or _block_actions(data)


_MESSAGE_EVENTS = ("app_mention", "message")
_TEXT_FIELDS = ("text", "user", "thread_ts", "channel_type", "subtype", "bot_id")


def _event(event: Any) -> bool:
    """An event object; a message or mention has its channel and ts, and text fields are text."""
    if not (isinstance(event, dict) and isinstance(event.get("type"), str)):
        return False
    if event["type"] not in _MESSAGE_EVENTS:
        return True
    if not (isinstance(event.get("channel"), str) and isinstance(event.get("ts"), str)):
        return False
    return all(isinstance(event.get(key, ""), str) for key in _TEXT_FIELDS)


def _view(view: Any) -> bool:
    return isinstance(view, dict) and isinstance(view.get("type"), str)


def _http(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def _block_actions(data: dict[str, Any]) -> bool:
    """A button click as Slack sends it: who clicked, which button, where to answer."""
    user = data.get("user")
    if not (isinstance(user, dict) and isinstance(user.get("id"), str)):
        return False
    response_url = data.get("response_url", "https://")
    if not (isinstance(response_url, str) and _http(response_url)):
        return False
    return all(
        isinstance(a.get("action_id"), str) and isinstance(a.get("value", ""), str)
        for a in data["actions"]
    )
