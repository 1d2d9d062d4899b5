"""``POST /slack/events``: every Slack request (events, commands, interactivity) enters here.

Each request is checked before Bolt sees it, cheapest first: size (413, in
the router), UTF-8 (400), Slack's signature over a fresh integer timestamp
(401; the body is never logged), then the shape Slack sends (400). Only
signed, well-formed requests reach Bolt, so a listener never meets a body
Slack could not have sent.

Bolt runs on the event loop when ``on_loop(payload)`` says the ack can only
compute and touch this host's state, or what it needs from Redis has been
awaited (:func:`answered_on_loop`), and on a thread of the request pool
otherwise. The hop to the pool and back cost
more CPU than most acks themselves: two thread wake-ups (about 0.2 ms of
CPU on the 2-core VM it was measured on, with one request in flight), and
under load the loop and the pool's threads taking the GIL from each other
at every SQLite call. An ``/acr ask`` served in process costs about 0.7 ms
of CPU on the loop and 1.3 ms through the pool (``benchmarks/ack_stages.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

from bot import json_input, logs
from bot.knowledge.library import Library
from bot.slack.dedupe import AsyncClaims, claim_ahead, claimed_ahead
from bot.slack.subcommands import parse
from bot.web.refusals import REFUSALS
from bot.web.routes import ON_LOOP_BODY, Request, Response

log = logging.getLogger(__name__)


Payload = dict[str, Any]
# The claims a request's ack needs, made ahead on the loop (often none): it is answered there;
# None: it is answered from a thread of the pool.
OnLoop = Callable[[Payload], Awaitable[Mapping[str, bool] | None]]
NOTHING_TO_CLAIM: Mapping[str, bool] = MappingProxyType({})


async def _never(_payload: Payload) -> Mapping[str, bool] | None:
    return None


def slack_events(
    app: App,
    signing_secret: str,
    pool: Executor,
    on_loop: OnLoop | None = None,
) -> Callable[[Request], Any]:
    verifier = SignatureVerifier(signing_secret)
    answers_here = on_loop or _never

    async def events(request: Request) -> Response:
        body = request.body
        if not _utf8(body):
            return Response.error(400, "body is not UTF-8")
        if not signed(verifier, request.headers, body):
            # Never the body: it is anyone's text, up to a megabyte (log forging, amplification).
            REFUSALS.refused("slack", "no valid Slack signature", request.client, logging.INFO)
            return Response.error(401, "invalid request")
        payload = parsed(body, request.headers.get("content-type"))
        if payload is None:
            return Response.error(400, "malformed Slack payload")
        ahead = await answers_here(payload) if len(body) <= ON_LOOP_BODY else None
        if ahead is not None:
            with Library.answering_without_waiting(), claimed_ahead(ahead):
                return dispatch(app, request, payload)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, dispatch, app, request, payload)

    return events


def signed(verifier: SignatureVerifier, headers: Mapping[str, str], body: bytes) -> bool:
    """Slack's v0 signature over a timestamp within five minutes (Bolt checks it again)."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False  # slack_sdk would raise on int("abc")
    if not signature.isascii():
        return False  # hmac.compare_digest raises on non-ASCII text: a 500, not a refusal
    return verifier.is_valid(body, timestamp, signature)


def dispatch(app: App, request: Request, payload: Payload) -> Response:
    """Bolt's answer to ``request``; ``payload`` is its body as :func:`parsed` read it."""
    with logs.bound_request_id():  # every line of this request, lazy listeners' too
        return _dispatch(app, request, payload)


class _CheckedRequest(BoltRequest):
    """A request whose body was parsed and checked here: Bolt reads that, not a parse of its own.

    Listeners, lazy ones too (:meth:`to_copyable`), then see exactly the
    payload that was checked: Bolt's own parser reads some bodies otherwise
    (a form with "payload" anywhere in a field as an empty body, JSON after
    a blank as a form), so a command acked on our reading reached its lazy
    listener empty. The form is parsed once, not twice (~25 µs of an ack).
    Bolt's own signature check still reads the raw body.
    """

    def __init__(
        self,
        raw_body: str,
        payload: Payload,
        query: str | dict,
        headers: dict,
        context: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(body="", query=query, headers=headers)
        self.raw_body = raw_body
        self.body = payload
        self.context = build_context(BoltContext(context or {}), payload)

    def to_copyable(self) -> BoltRequest:
        return _CheckedRequest(
            self.raw_body, self.body, self.query, self.headers, self.context.to_copyable()
        )


def _dispatch(app: App, request: Request, payload: Payload) -> Response:
    headers = {name: [value] for name, value in request.headers.items()}
    bolt = _CheckedRequest(request.body.decode("utf-8"), payload, request.query, headers)
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
    """The shape Slack sends: a JSON object, or a form (``payload`` holding a JSON object)."""
    return parsed(body, content_type) is not None


def parsed(body: bytes, content_type: str | None) -> Payload | None:
    """The payload, if it has the shape Slack sends; else ``None`` (a 400).

    Only the envelope is checked (its ``type``, and the nested objects
    listeners index into), so a body Slack could not have sent is a 400 here,
    not an exception in a listener. A slash command comes back as its form's
    fields; a field given twice (Slack never does) is malformed, so no two
    readers can take different values from it.
    """
    try:
        text = body.decode("utf-8")
        if (content_type or "").startswith("application/json") or text.lstrip().startswith("{"):
            data = json_input.loads(text)
            return data if _envelope(data, objects=("event",)) else None
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        if any(len(values) > 1 for values in form.values()):
            return None
        if "payload" in form:
            data = json_input.loads(form["payload"][0])
            return data if _envelope(data, objects=("user", "team", "channel")) else None
        fields = {key: values[0] for key, values in form.items()}
        if "command" in form:
            required = ("command", "user_id", "channel_id", "response_url")
            if not (all(fields.get(key) for key in required) and _http(fields["response_url"])):
                return None
        return fields or None
    except ValueError:
        return None


def answered_on_loop(
    local_store: bool,
    is_current: Callable[[], bool],
    is_current_async: Callable[[], Awaitable[bool]] | None = None,
    claims: AsyncClaims | None = None,
) -> OnLoop:
    """Which requests Bolt handles on the event loop: those whose ack cannot wait on anything.

    With a store on this host (memory or SQLite: a claim or a read is
    microseconds, or as long as another worker's transaction on the file),
    a kind whose ack only computes and claims: events and button clicks
    (their work runs later, on the listener pools), and ``/acr ask`` while
    the knowledge base is current (``is_current``: a captured answer
    approved since needs a rebuild, which runs in the pool as before).
    Everything else (``/acr help`` reads user groups from Slack, a modal's
    submission checks its approver, diagnostics) takes the pool.

    With Redis a blocking call on the loop would hold every request for as
    long as Redis takes, so what the ack needs from it is awaited first:
    ``/acr ask`` reads the captured version (``is_current_async``), and an
    event or a click makes its de-duplication claim (``claims``); Bolt then
    runs on the loop with that claim made. Whenever Redis cannot answer at
    once, the request takes the pool, as it always did.
    """

    async def on_loop(payload: Payload) -> Mapping[str, bool] | None:
        kind = payload.get("type")
        if local_store:
            if kind in ("event_callback", "block_actions") or (_is_ask(payload) and is_current()):
                return NOTHING_TO_CLAIM
            return None
        if _is_ask(payload):
            current = is_current_async is not None and await is_current_async()
            return NOTHING_TO_CLAIM if current else None
        if kind in ("event_callback", "block_actions") and claims is not None:
            return await claim_ahead(claims, payload)
        return None

    return on_loop


def _is_ask(payload: Payload) -> bool:
    if payload.get("command") != "/acr" or "type" in payload:
        return False
    return parse(str(payload.get("text", "")))[0] == "ask"


def _envelope(data: Any, objects: tuple[str, ...]) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return False
    if any(data.get(key) is not None and not isinstance(data[key], dict) for key in objects):
        return False
    if (data["type"] == "event_callback" or "event" in data) and not _event(data.get("event")):
        return False  # Slack's events always carry one; Bolt and the listeners index into it
    if data["type"].startswith("view_") and not _view(data.get("view")):
        return False  # Bolt reads view.type for every view payload
    if data["type"] == "url_verification" and not isinstance(data.get("challenge"), str):
        return False  # Slack always sends one: Bolt would echo {"challenge": null}
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
