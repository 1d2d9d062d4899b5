"""Requests as Slack sends them to the app, signed, for end-to-end tests.

The bodies mirror what Slack really posts (field names, form vs JSON, the
``payload=`` wrapping of interactivity) so the app's parsing and signature
check run exactly as in production. Signing is computed here with ``hmac``
rather than borrowed from slack-sdk, so a test cross-checking the two catches
a mistake on either side.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, TEAM_ID, TS_EPOCH

Event = dict[str, Any]

API_APP_ID = "A1"
TEAM_DOMAIN = "test"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated by Slack, still sent
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

_ts_counter = itertools.count(1)


def sign(signing_secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for ``body``; ``timestamp`` defaults to now.

    Pass an old ``timestamp`` to test the app's replay protection (Slack
    rejects anything more than five minutes off).
    """
    ts = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{ts}:".encode() + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def slash_command(
    text: str,
    *,
    response_url: str,
    user_id: str = "U1",
    channel_id: str = "C1",
    channel_name: str | None = None,
    command: str = "/acr",
    team_id: str = TEAM_ID,
    user_name: str = "alice",
    trigger_id: str | None = None,
) -> bytes:
    """A slash command body (form-urlencoded), field for field as Slack posts it.

    ``channel_name`` defaults to what Slack sends: ``directmessage`` for D…
    channels, otherwise ``general``.
    """
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name or _channel_name(channel_id),
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields).encode()


def event_callback(
    event: Event,
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
) -> bytes:
    """Wrap an event the way the Events API delivers it (JSON).

    Reuse an ``event_id`` to simulate Slack's retries of the same event.
    """
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }
    return json.dumps(envelope).encode()


def app_mention(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> Event:
    """An ``app_mention`` event; ``<@UBOT>`` is prepended when ``text`` lacks it.

    Slack only sends this event when the bot is mentioned, so the mention is
    always in the real text and the app has to strip it.
    """
    mention = f"<@{BOT_USER_ID}>"
    ts = ts or new_ts()
    event: Event = {
        "type": "app_mention",
        "user": user,
        "text": text if mention in text else f"{mention} {text}",
        "ts": ts,
        "client_msg_id": str(uuid.uuid4()),
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message_im(
    text: str,
    *,
    user: str = "U1",
    channel: str = "D1",
    ts: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    thread_ts: str | None = None,
) -> Event:
    """A ``message`` event in a direct message (``channel_type: im``).

    ``subtype``/``bot_id`` produce the bot and edit messages the app must not
    answer (bot loops); such messages carry no ``client_msg_id``.
    """
    ts = ts or new_ts()
    event: Event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im",
    }
    if subtype:
        event["subtype"] = subtype
    if bot_id:
        event["bot_id"] = bot_id
    if not subtype and not bot_id:
        event["client_msg_id"] = str(uuid.uuid4())
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message_channel(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    ts: str | None = None,
    thread_ts: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    channel_type: str = "channel",
) -> Event:
    """A ``message`` event in a public (``channel``) or private (``group``) channel.

    A thread reply carries ``thread_ts`` (the parent's ts) and ``parent_user_id``.
    An edit is ``subtype: message_changed`` with the new text under ``message``.
    """
    ts = ts or new_ts()
    event: Event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if subtype == "message_changed":
        event = {
            "type": "message",
            "subtype": subtype,
            "hidden": True,
            "channel": channel,
            "ts": new_ts(),
            "event_ts": ts,
            "channel_type": channel_type,
            "message": {"type": "message", "user": user, "text": text, "ts": ts},
        }
    elif subtype:
        event["subtype"] = subtype
    if bot_id:
        event["bot_id"] = bot_id
        if subtype == "bot_message":
            event.pop("user", None)
    if not subtype and not bot_id:
        event["client_msg_id"] = str(uuid.uuid4())
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = "UPARENT"
    return event


def reaction_added(
    reaction: str, *, user: str, channel: str, ts: str, item_user: str = "U1"
) -> Event:
    """``reaction_added``: who reacted, with what, to which message (the text is not in it)."""
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": new_ts(),
    }


def url_verification(challenge: str) -> bytes:
    """The handshake Slack posts when the Request URL is configured (JSON)."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body).encode()


def block_actions(
    action_id: str,
    value: str,
    *,
    response_url: str,
    user_id: str = "U1",
    channel_id: str = "C1",
    message_ts: str = f"{TS_EPOCH}.000100",
    block_id: str = "b1",
    message: Event | None = None,
    button_text: str = "Button",
) -> bytes:
    """A button click: form field ``payload`` holding the interaction as JSON.

    ``message`` is the message the button was on (defaults to a minimal bot
    message with ``message_ts``); ``message_ts`` defaults to the first ts that
    ``FakeSlack`` hands out.
    """
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": _channel_name(channel_id)},
        "message": message or _bot_message(message_ts),
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": button_text, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def message_shortcut(
    callback_id: str,
    message: Event,
    *,
    user_id: str = "U1",
    channel_id: str = "C1",
    response_url: str = "",
) -> bytes:
    """A message shortcut (``message_action``) on ``message``, as form field ``payload``."""
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": new_trigger_id(),
        "action_ts": f"{time.time():.6f}",
        "token": VERIFICATION_TOKEN,
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": TEAM_ID},
        "channel": {"id": channel_id, "name": _channel_name(channel_id)},
        "is_enterprise_install": False,
        "enterprise": None,
        "message": message,
        "message_ts": message.get("ts", ""),
        "response_url": response_url,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def view_submission(view: Event, values: dict[str, Any], *, user_id: str = "U1") -> bytes:
    """A modal submitted: ``view`` as opened, ``values`` as ``{block_id: value}``.

    A plain string fills a plain_text_input; ``{"selected": v}`` a static select.
    """
    state: dict[str, Any] = {}
    for block_id, value in values.items():
        if isinstance(value, dict) and "selected" in value:
            option = {"text": {"type": "plain_text", "text": value["selected"]}}
            element = {
                "type": "static_select",
                "selected_option": option | {"value": value["selected"]},
            }
        else:
            element = {"type": "plain_text_input", "value": value}
        state[block_id] = {"value": element}
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "view": {**view, "id": view.get("id", "V1"), "state": {"values": state}},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def post(
    url: str,
    body: bytes,
    *,
    signing_secret: str,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    timestamp: int | None = None,
    timeout: float = 10,
    client: httpx.Client | None = None,
) -> httpx.Response:
    """Sign ``body`` and POST it to the app like Slack does.

    The content type is inferred (JSON bodies start with ``{``, the rest are
    forms). ``headers`` are applied last, so a test can add
    ``X-Slack-Retry-Num`` or overwrite the signature to check rejection.
    ``client`` sends it (an in-process one, with ``url`` a path); by default a
    fresh connection to ``url``.
    """
    sent = httpx.Headers(
        {
            "Content-Type": content_type or (JSON if body.lstrip().startswith(b"{") else FORM),
            "User-Agent": USER_AGENT,
            **sign(signing_secret, body, timestamp),
        }
    )
    sent.update(headers or {})  # case-insensitive: replaces, never duplicates
    send = client.post if client is not None else httpx.post
    return send(url, content=body, headers=sent, timeout=timeout)


def new_ts() -> str:
    """A fresh, increasing message ts ("seconds.micros" as Slack writes it)."""
    return f"{int(time.time())}.{next(_ts_counter) % 1_000_000:06d}"


def new_event_id() -> str:
    """An event id shaped like Slack's ("Ev" + 10 upper-case characters)."""
    return "Ev" + secrets.token_hex(5).upper()


def new_trigger_id() -> str:
    """A trigger id shaped like Slack's ("<digits>.<digits>.<hex>")."""
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"


def _channel_name(channel_id: str) -> str:
    return "directmessage" if channel_id.startswith("D") else "general"


def _bot_message(ts: str) -> Event:
    return {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "team": TEAM_ID,
        "ts": ts,
        "text": "message",
    }
