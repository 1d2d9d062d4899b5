"""A fake Slack (Web API and response_url) served over real HTTP on loopback.

Bolt builds a fresh ``WebClient`` per request and copies only its ``base_url``
(and a few settings), so a Python mock never sees the listeners' calls. A small
HTTP server that the app's client is pointed at sees every request exactly as
Slack would: headers, JSON or form bodies, retries after a 429.

The fake is stricter than Slack on purpose: it explains *why* it refuses a
message (``validate_blocks``) and enforces the project rule that blocks always
come with a plain ``text`` fallback.

Three records, kept apart so a test can tell them apart:

* ``calls()``: requests a method answered (including semantic ``ok: false``
  answers such as ``no_such_subteam``),
* ``rejections``: requests refused as client mistakes (``not_authed``,
  ``unknown_method``, ``invalid_arguments``, ``invalid_blocks``, ...),
* ``failures``: attempts answered with an error injected by ``fail_next``.

``hang_next`` holds calls unanswered (a Slack that stopped answering) until
``release()``; ``hanging`` counts the calls held right now.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

Params = dict[str, Any]

TEAM_ID = "T0001"
TEAM_NAME = "Test"
TEAM_URL = "https://test.slack.com/"
BOT_USER_ID = "UBOT"
BOT_USER_NAME = "acrbot"
BOT_ID = "BBOT"
TS_EPOCH = 1_700_000_000

# Block Kit limits, see docs/slack.md. Slack counts characters, as len() does.
MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
ID_MAX = 255
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
CONFIRM_LIMITS = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
TEXT_OBJECT_TYPES = frozenset({"mrkdwn", "plain_text"})

# Form-encoded requests carry structured arguments as JSON strings.
JSON_FORM_FIELDS = frozenset({"blocks", "attachments", "metadata", "view"})
VIEW_MAX_BLOCKS = 100  # modals and Home tabs
MODAL_TITLE_MAX = 24
HTTP_ERRORS = {500: "internal_error", 503: "service_unavailable"}


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Call:
    """One request the fake answered, as the app sent it (header names lower-cased)."""

    method: str
    params: Params
    headers: dict[str, str]
    name: str | None = None


@dataclass(frozen=True)
class Failure:
    """One attempt answered with an injected HTTP error (see ``FakeSlack.fail_next``)."""

    method: str
    status: int
    params: Params


@dataclass
class _PlannedFailure:
    status: int
    retry_after: int
    remaining: int


@dataclass(frozen=True)
class _Reply:
    status: int
    body: Params | str
    headers: dict[str, str] = field(default_factory=dict)


class _Rejected(Exception):
    """Raised by a method handler when Slack would refuse the request outright."""

    def __init__(self, error: str, reasons: list[str]) -> None:
        super().__init__(error)
        self.error = error
        self.reasons = reasons


# --------------------------------------------------------------------------- Block Kit


def validate_blocks(blocks: object) -> list[str]:
    """Return every reason Slack would refuse these blocks; empty means acceptable.

    Slack answers a bad message with a bare ``invalid_blocks`` (and slack-sdk
    does not check the block count at all), so listing the reasons here is what
    makes a failing end-to-end test say what to fix.
    """
    if not isinstance(blocks, list):
        return [f"blocks must be a list, got {type(blocks).__name__}"]
    errors: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        errors.append(f"{len(blocks)} blocks, at most {MAX_BLOCKS} allowed")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        errors += _check_block(block, f"blocks[{index}]", block_ids)
    errors += _empty_text_objects(blocks, "blocks")
    return errors


def message_problems(params: Params) -> tuple[str, list[str]] | None:
    """Return (error code, reasons) if a message with blocks must be refused.

    Beyond Block Kit limits, blocks without a non-empty ``text`` fallback are
    refused: Slack accepts them, but notifications and screen readers then
    show nothing useful (project rule).
    """
    blocks = params.get("blocks")
    if blocks is None or blocks == []:
        return None
    reasons = validate_blocks(blocks)
    error = "invalid_blocks" if reasons else "missing_text_fallback"
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        reasons.append("missing_text_fallback: blocks need a non-empty `text` fallback")
    return (error, reasons) if reasons else None


def _check_block(block: object, path: str, block_ids: set[str]) -> list[str]:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return [f"{path}: a block must be an object with a string type"]
    errors = _too_long(block.get("block_id"), ID_MAX, f"{path}.block_id")
    block_id = block.get("block_id")
    if isinstance(block_id, str):
        if block_id in block_ids:
            errors.append(f"{path}.block_id {block_id!r} is used twice in the message")
        block_ids.add(block_id)
    check = _BLOCK_CHECKS.get(block["type"])
    return errors + check(block, path) if check else errors


def _check_section(block: Params, path: str) -> list[str]:
    fields = block.get("fields") or []
    if not block.get("text") and not fields:
        return [f"{path}: a section needs text or fields"]
    errors = _too_long(_text_of(block.get("text")), SECTION_TEXT_MAX, f"{path}.text")
    errors += _too_many(fields, SECTION_FIELDS_MAX, f"{path}.fields")
    for index, item in enumerate(fields):
        errors += _too_long(_text_of(item), SECTION_FIELD_TEXT_MAX, f"{path}.fields[{index}]")
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        errors += _check_element(accessory, f"{path}.accessory")
    return errors


def _check_header(block: Params, path: str) -> list[str]:
    text = block.get("text")
    if not isinstance(text, dict) or text.get("type") != "plain_text":
        return [f"{path}.text must be a plain_text object"]
    return _too_long(text.get("text"), HEADER_TEXT_MAX, f"{path}.text")


def _check_actions(block: Params, path: str) -> list[str]:
    elements = block.get("elements") or []
    errors = _none_or_too_many(elements, ACTIONS_ELEMENTS_MAX, f"{path}.elements")
    action_ids: set[str] = set()
    for index, element in enumerate(elements):
        element_path = f"{path}.elements[{index}]"
        if not isinstance(element, dict):
            errors.append(f"{element_path}: an element must be an object")
            continue
        errors += _check_element(element, element_path)
        action_id = element.get("action_id")
        if isinstance(action_id, str):
            if action_id in action_ids:
                errors.append(f"{element_path}.action_id {action_id!r} repeats in the block")
            action_ids.add(action_id)
    return errors


def _check_context(block: Params, path: str) -> list[str]:
    return _none_or_too_many(block.get("elements") or [], CONTEXT_ELEMENTS_MAX, f"{path}.elements")


def _check_element(element: Params, path: str) -> list[str]:
    errors = _too_long(element.get("action_id"), ID_MAX, f"{path}.action_id")
    if element.get("type") == "button":
        errors += _too_long(_text_of(element.get("text")), BUTTON_TEXT_MAX, f"{path}.text")
        errors += _too_long(element.get("value"), BUTTON_VALUE_MAX, f"{path}.value")
        errors += _too_long(element.get("url"), BUTTON_URL_MAX, f"{path}.url")
    confirm = element.get("confirm")
    if isinstance(confirm, dict):
        for key, limit in CONFIRM_LIMITS.items():
            errors += _too_long(_text_of(confirm.get(key)), limit, f"{path}.confirm.{key}")
    return errors


def _empty_text_objects(node: object, path: str) -> list[str]:
    """Find mrkdwn/plain_text objects without text, wherever they are nested."""
    if isinstance(node, list):
        return [e for i, item in enumerate(node) for e in _empty_text_objects(item, f"{path}[{i}]")]
    if not isinstance(node, dict):
        return []
    if node.get("type") in TEXT_OBJECT_TYPES:
        text = node.get("text")
        return [] if isinstance(text, str) and text else [f"{path}: {node['type']} text is empty"]
    return [e for key, value in node.items() for e in _empty_text_objects(value, f"{path}.{key}")]


def _text_of(text_object: object) -> object:
    return text_object.get("text") if isinstance(text_object, dict) else None


def _too_long(value: object, limit: int, path: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"{path} has {len(value)} characters, at most {limit} allowed"]
    return []


def _too_many(items: list[Any], limit: int, path: str) -> list[str]:
    if len(items) > limit:
        return [f"{path} has {len(items)} items, at most {limit} allowed"]
    return []


def _none_or_too_many(items: list[Any], limit: int, path: str) -> list[str]:
    return [f"{path} must not be empty"] if not items else _too_many(items, limit, path)


_BLOCK_CHECKS: dict[str, Callable[[Params, str], list[str]]] = {
    "section": _check_section,
    "header": _check_header,
    "actions": _check_actions,
    "context": _check_context,
}


# --------------------------------------------------------------------------- request parsing


def parse_body(content_type: str, body: bytes) -> Params:
    """Decode a JSON or form-urlencoded body; anything else yields no params."""
    if not body:
        return {}
    if "application/json" in content_type:
        try:
            decoded = json.loads(body)
        except ValueError:
            return {}
        return decoded if isinstance(decoded, dict) else {}
    if "application/x-www-form-urlencoded" in content_type:
        return parse_form(body.decode("utf-8"))
    return {}


def parse_form(query: str) -> Params:
    """Decode form/query fields, turning the JSON-string ones (blocks, ...) into objects."""
    params: Params = {key: values[-1] for key, values in parse_qs(query, True).items()}
    for key in JSON_FORM_FIELDS & params.keys():
        with contextlib.suppress(ValueError):  # left as sent: validation reports it
            params[key] = json.loads(params[key])
    return params


def _require(params: Params, *names: str) -> None:
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise _Rejected("invalid_arguments", [f"missing required argument {n}" for n in missing])


def _require_token(headers: dict[str, str]) -> None:
    if not headers.get("authorization", "").startswith(("Bearer xoxb-", "Bearer xoxp-")):
        raise _Rejected("not_authed", ["no `Authorization: Bearer xoxb-...` header"])


def _require_message(params: Params) -> None:
    _require(params, "channel")
    if not any(params.get(key) for key in ("text", "blocks", "attachments")):
        raise _Rejected("no_text", ["a message needs text, blocks or attachments"])
    problems = message_problems(params)
    if problems:
        raise _Rejected(*problems)


def _checked_view(view: object, kind: str) -> Params:
    """A modal or Home view as Slack checks it: type, title, 100 blocks, block limits."""
    if not isinstance(view, dict) or view.get("type") != kind:
        raise _Rejected("invalid_arguments", [f"view must be an object of type {kind}"])
    blocks = view.get("blocks")
    reasons: list[str] = []
    if not isinstance(blocks, list):
        raise _Rejected("invalid_arguments", ["view.blocks must be a list"])
    if len(blocks) > VIEW_MAX_BLOCKS:
        reasons.append(f"{len(blocks)} blocks, at most {VIEW_MAX_BLOCKS} in a view")
    checked = [b for b in blocks if not (isinstance(b, dict) and b.get("type") == "input")]
    # a view's own count is checked above; the message limit of 50 does not apply
    reasons += [
        r for r in validate_blocks(checked) if not r.endswith(f"at most {MAX_BLOCKS} allowed")
    ]
    if kind == "modal":
        title = (view.get("title") or {}).get("text", "")
        if not title or len(title) > MODAL_TITLE_MAX:
            reasons.append(f"modal title must be 1-{MODAL_TITLE_MAX} characters")
    if len(view.get("private_metadata", "")) > 3000:
        reasons.append("private_metadata over 3000 characters")
    if reasons:
        raise _Rejected("invalid_arguments", reasons)
    return view


def _truthy(value: object) -> bool:
    return value in (True, 1, "1", "true", "True")


def _failure_reply(planned: _PlannedFailure) -> _Reply:
    if planned.status == 429:
        retry_after = {"Retry-After": str(planned.retry_after)}
        return _Reply(429, {"ok": False, "error": "ratelimited"}, retry_after)
    error = HTTP_ERRORS.get(planned.status, f"http_{planned.status}")
    return _Reply(planned.status, {"ok": False, "error": error})


def _message(params: Params, ts: str) -> Params:
    message: Params = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "team": TEAM_ID,
        "ts": ts,
        "text": params.get("text", ""),
    }
    for key in ("blocks", "attachments", "thread_ts", "metadata"):
        if key in params:
            message[key] = params[key]
    return message


def _default_user(user_id: str) -> Params:
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": user_id.lower(),
        "real_name": f"User {user_id}",
        "deleted": False,
        "is_bot": user_id == BOT_USER_ID,
        "tz": "Europe/London",
        "tz_label": "Greenwich Mean Time",
        "tz_offset": 0,
        "locale": "en-US",
        "profile": {"real_name": f"User {user_id}", "display_name": user_id.lower()},
    }


def _summary(call: Call | Failure) -> str:
    label = f"{call.method}[{call.name}]" if getattr(call, "name", None) else call.method
    status = f" HTTP {call.status}" if isinstance(call, Failure) else ""
    params = json.dumps(call.params, ensure_ascii=False, default=str)
    return f"{label}{status} {params[:300]}{'...' if len(params) > 300 else ''}"


# --------------------------------------------------------------------------- server


class FakeSlack:
    """Slack's Web API and response URLs on ``127.0.0.1:<free port>``.

    ``usergroups`` maps a usergroup id to its member ids; ``users`` maps a user
    id to fields overriding the default ``users.info`` profile (e.g.
    ``{"locale": "zh-CN"}``). Like Slack, ``users.info`` includes ``locale``
    only when asked with ``include_locale=True``.
    """

    def __init__(self) -> None:
        self.usergroups: dict[str, list[str]] = {}
        self.users: dict[str, Params] = {}
        # Channel history for conversations.replies / .history: seeded with ``add_message``,
        # and every chat.postMessage lands here too. Reactions by (channel, ts) -> names.
        self.messages: dict[str, list[Params]] = {}
        self.reactions: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Condition()  # RLock inside: predicates may call back in
        self._calls: list[Call] = []
        self._failures: list[Failure] = []
        self._rejections: list[tuple[str, list[str]]] = []
        self._planned: dict[str, list[_PlannedFailure]] = {}
        self._hangs: dict[str, int] = {}
        self._hanging = 0
        self._released = threading.Event()
        self._ts_count = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, Callable[[Params], Params]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.getPermalink": self._get_permalink,
            "usergroups.users.list": self._usergroup_users,
            "users.info": self._users_info,
            "conversations.replies": self._replies,
            "conversations.history": self._history,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
        }

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> FakeSlack:
        """Bind a free loopback port and serve from a daemon thread (idempotent)."""
        if self._server is None:
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="fake-slack",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and free the port (idempotent)."""
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        """What ``WebClient(base_url=...)`` takes; the client appends the method name."""
        return f"{self.root_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response URL whose posts are recorded as method ``response_url`` with this name."""
        return f"{self.root_url}/response/{name}"

    def add_message(self, channel: str, message: Params) -> Params:
        """Put a message in ``channel``'s history (as if a person or another bot posted it)."""
        with self._lock:
            self.messages.setdefault(channel, []).append(dict(message))
        return message

    # ----------------------------------------------------------------- inspection

    def calls(self, method: str | None = None) -> list[Call]:
        """Answered requests in arrival order, optionally only those to ``method``."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    @property
    def failures(self) -> list[Failure]:
        """Attempts answered with an injected HTTP error, in order."""
        with self._lock:
            return list(self._failures)

    @property
    def rejections(self) -> list[tuple[str, list[str]]]:
        """(method, reasons) for every request refused as a client mistake, in order."""
        with self._lock:
            return list(self._rejections)

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        count: int = 1,
    ) -> list[Call]:
        """Wait until ``count`` calls to ``method`` match ``predicate``; return all matches.

        The app answers Slack first and works afterwards (ack within 3 s), so
        its Web API calls arrive after the test's request has returned.
        """

        def matching() -> list[Call]:
            found = [c for c in self._calls if c.method == method]
            return [c for c in found if predicate is None or predicate(c)]

        with self._lock:
            if self._lock.wait_for(lambda: len(matching()) >= count, timeout):
                return matching()
            raise AssertionError(self._timeout_message(method, predicate, count, timeout))

    def reset(self) -> None:
        """Forget calls, failures, rejections and planned failures (not usergroups/users).

        ``ts`` keeps increasing, as on Slack, so messages stay distinguishable.
        """
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._rejections.clear()
            self._planned.clear()
        self.release()

    def fail_next(
        self, method: str, status: int = 429, retry_after: int = 1, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls to ``method`` (or ``"response_url"``) with ``status``.

        429 carries ``Retry-After: retry_after`` and ``{"ok": false, "error": "ratelimited"}``.
        """
        with self._lock:
            self._planned.setdefault(method, []).append(_PlannedFailure(status, retry_after, times))

    def hang_next(self, method: str, times: int = 1) -> None:
        """Hold the next ``times`` calls to ``method`` (or ``"response_url"``) until ``release()``.

        A held call is never recorded; once released it is answered 503, by
        which time the app has usually given up on it.
        """
        with self._lock:
            self._released.clear()
            self._hangs[method] = self._hangs.get(method, 0) + times

    def release(self) -> None:
        """Let every held call go, and forget the planned hangs."""
        with self._lock:
            self._hangs.clear()
            self._released.set()

    @property
    def hanging(self) -> int:
        """How many calls are being held right now."""
        with self._lock:
            return self._hanging

    def wait_until_hanging(self, count: int, timeout: float = 5.0) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self._hanging >= count, timeout):
                raise AssertionError(f"waited {timeout}s for {count} held calls, {self._hanging}")

    # ----------------------------------------------------------------- request handling

    def _hold(self, method: str) -> _Reply | None:
        with self._lock:
            if not self._hangs.get(method):
                return None
            self._hangs[method] -= 1
            self._hanging += 1
            self._lock.notify_all()
        self._released.wait(timeout=60)
        with self._lock:
            self._hanging -= 1
        return _Reply(503, {"ok": False, "error": "service_unavailable"})

    def _handle(self, path: str, params: Params, headers: dict[str, str]) -> _Reply:
        """Answer one parsed request; the HTTP handler's only entry point."""
        method = "response_url" if path.startswith("/response/") else path.removeprefix("/api/")
        held = self._hold(method)
        if held is not None:
            return held
        if path.startswith("/api/"):
            return self._web_api(path.removeprefix("/api/"), params, headers)
        if path.startswith("/response/"):
            return self._response(path.removeprefix("/response/"), params, headers)
        return _Reply(404, "not_found")

    def _web_api(self, method: str, params: Params, headers: dict[str, str]) -> _Reply:
        failure = self._take_failure(method, params)
        if failure:
            return failure
        try:
            _require_token(headers)
            handler = self._methods.get(method)
            if handler is None:
                raise _Rejected("unknown_method", [f"{method} is not a method this fake knows"])
            body = handler(params)
        except _Rejected as rejected:
            self._reject(method, rejected.reasons)
            return _Reply(200, {"ok": False, "error": rejected.error, "errors": rejected.reasons})
        self._record(Call(method, params, headers))
        return _Reply(200, body)

    def _response(self, name: str, params: Params, headers: dict[str, str]) -> _Reply:
        failure = self._take_failure("response_url", params)
        if failure:
            return failure
        problems = message_problems(params)
        if problems:
            self._reject("response_url", problems[1])
            return _Reply(400, problems[0])
        self._record(Call("response_url", params, headers, name))
        return _Reply(200, "ok")

    def _take_failure(self, method: str, params: Params) -> _Reply | None:
        with self._lock:
            planned = self._planned.get(method)
            if not planned:
                return None
            failure = planned[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                planned.pop(0)
            self._failures.append(Failure(method, failure.status, params))
            self._lock.notify_all()
        return _failure_reply(failure)

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()

    def _reject(self, method: str, reasons: list[str]) -> None:
        with self._lock:
            self._rejections.append((method, reasons))
            self._lock.notify_all()

    def _next_ts(self) -> str:
        with self._lock:
            self._ts_count += 1
            micros = self._ts_count * 100
        return f"{TS_EPOCH + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _timeout_message(self, method: str, predicate: object, count: int, timeout: float) -> str:
        wanted = f"{count} {method} call(s){' matching the predicate' if predicate else ''}"
        lines = [f"waited {timeout}s for {wanted}; calls seen ({len(self._calls)}):"]
        lines += [f"  {_summary(c)}" for c in self._calls] or ["  (none)"]
        if self._rejections:
            lines.append("rejected:")
            lines += [f"  {m}: {'; '.join(reasons)}" for m, reasons in self._rejections]
        if self._failures:
            lines.append("injected failures:")
            lines += [f"  {_summary(f)}" for f in self._failures]
        return "\n".join(lines)

    # ----------------------------------------------------------------- Web API methods

    def _auth_test(self, params: Params) -> Params:
        return {
            "ok": True,
            "url": TEAM_URL,
            "team": TEAM_NAME,
            "team_id": TEAM_ID,
            "user": BOT_USER_NAME,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, params: Params) -> Params:
        _require_message(params)
        ts = self._next_ts()
        message = _message(params, ts)
        self.add_message(params["channel"], message)
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}

    def _replies(self, params: Params) -> Params:
        """The thread holding ``ts``, parent first (Slack's order), ``limit`` messages at most."""
        _require(params, "channel", "ts")
        with self._lock:
            history = list(self.messages.get(params["channel"], []))
        target = next((m for m in history if m.get("ts") == params["ts"]), None)
        if target is None:
            return {"ok": False, "error": "thread_not_found"}
        parent = target.get("thread_ts") or target["ts"]
        thread = [m for m in history if m["ts"] == parent or m.get("thread_ts") == parent]
        thread.sort(key=lambda m: float(m["ts"]))
        limit = int(params.get("limit") or 1000)
        return {"ok": True, "messages": thread[:limit], "has_more": len(thread) > limit}

    def _history(self, params: Params) -> Params:
        _require(params, "channel")
        with self._lock:
            history = list(self.messages.get(params["channel"], []))
        top = [m for m in history if m.get("thread_ts") in (None, m["ts"])]
        latest = params.get("latest")
        if latest:
            inclusive = _truthy(params.get("inclusive"))
            top = [
                m
                for m in top
                if float(m["ts"]) < float(latest) or (inclusive and m["ts"] == latest)
            ]
        top.sort(key=lambda m: float(m["ts"]), reverse=True)
        limit = int(params.get("limit") or 100)
        return {"ok": True, "messages": top[:limit], "has_more": len(top) > limit}

    def _reactions_add(self, params: Params) -> Params:
        _require(params, "channel", "timestamp", "name")
        with self._lock:
            names = self.reactions.setdefault((params["channel"], params["timestamp"]), set())
            if params["name"] in names:
                return {"ok": False, "error": "already_reacted"}
            names.add(params["name"])
        return {"ok": True}

    def _reactions_remove(self, params: Params) -> Params:
        _require(params, "channel", "timestamp", "name")
        with self._lock:
            names = self.reactions.setdefault((params["channel"], params["timestamp"]), set())
            if params["name"] not in names:
                return {"ok": False, "error": "no_reaction"}
            names.discard(params["name"])
        return {"ok": True}

    def _update(self, params: Params) -> Params:
        _require(params, "ts")
        _require_message(params)
        message = _message(params, params["ts"])
        answer = {key: message[key] for key in ("ts", "text")}
        return {"ok": True, "channel": params["channel"], **answer, "message": message}

    def _post_ephemeral(self, params: Params) -> Params:
        _require(params, "user")
        _require_message(params)
        return {"ok": True, "message_ts": self._next_ts()}

    def _get_permalink(self, params: Params) -> Params:
        _require(params, "channel", "message_ts")
        channel, ts = params["channel"], params["message_ts"]
        permalink = f"{TEAM_URL}archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": permalink}

    def _views_open(self, params: Params) -> Params:
        _require(params, "trigger_id", "view")
        view = _checked_view(params["view"], "modal")
        return {"ok": True, "view": {"id": f"V{self._next_ts().replace('.', '')}", **view}}

    def _views_publish(self, params: Params) -> Params:
        _require(params, "user_id", "view")
        view = _checked_view(params["view"], "home")
        return {"ok": True, "view": {"id": f"VH{params['user_id']}", **view}}

    def _usergroup_users(self, params: Params) -> Params:
        _require(params, "usergroup")
        users = self.usergroups.get(params["usergroup"])
        if users is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(users)}

    def _users_info(self, params: Params) -> Params:
        _require(params, "user")
        user = _default_user(params["user"]) | self.users.get(params["user"], {})
        if not _truthy(params.get("include_locale")):
            user.pop("locale", None)
        return {"ok": True, "user": user}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP into ``FakeSlack._handle`` calls; knows nothing about Slack."""

    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        params = parse_form(url.query) | parse_body(self.headers.get("Content-Type", ""), body)
        headers = {key.lower(): value for key, value in self.headers.items()}
        reply = self.server.fake._handle(url.path, params, headers)
        with contextlib.suppress(OSError):  # a client that gave up on a held call
            self._send(reply)

    def _send(self, reply: _Reply) -> None:
        if isinstance(reply.body, str):
            payload, content_type = reply.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, content_type = json.dumps(reply.body).encode(), "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: pytest output should show test failures, not access logs."""
