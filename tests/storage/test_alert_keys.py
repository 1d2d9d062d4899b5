"""How many Redis keys an alert leaves behind, and for how long (issue 18 B15).

3,000 distinct alerts made 12.5k keys (5 per alert, TTLs up to 30 days).
Measured against a real Redis through acrbot's whole app in process: the
keys added per distinct alert (fired, then resolved) are counted as the
slope between two batches, so keys shared by all alerts (queues, streams,
the readiness probe) do not count, and every key must expire.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from bot.config import load_settings
from bot.web.app import build_router
from tests.fakes.in_process import AsgiClient
from tests.fakes.slack_api import FakeSlack
from tests.redis_server import RedisServer
from tests.triage.conftest import fixture

TOKEN = "alert-keys-token-0123456789"
KEYS_PER_ALERT = 3  # at most, for an alert that fired and resolved
CHANNELS = 8  # a few alerts per channel: inside any per-channel posting budget
# One per store, not per alert, and bounded otherwise (trimmed, or emptied as items are done).
SHARED = (b"acrbot:stream:", b"acrbot:queue:", b"acrbot:probe")
LONGEST_TTL = 30 * 86400  # seconds: a Resolved can still find its Fired message this long
# One counter a day for App Home's 30-day report (bot/triage/tally.py), not one per alert.
DAILY_TALLY_TTL = 32 * 86400


def alert(n: int, condition: str) -> bytes:
    payload = copy.deepcopy(fixture("azure_metric_storage.json"))
    essentials = payload["data"]["essentials"]
    essentials["alertId"] = essentials["alertId"][:-4] + f"{n:04d}"
    essentials["alertRule"] = f"acr-storage-rule-{n}"  # its own rule: its own storm
    target = essentials["alertTargetIDs"][0].replace("/prod-rg/", f"/rg-{n % CHANNELS}/")
    essentials["alertTargetIDs"] = [target]  # channels: a route per resource group
    essentials["monitorCondition"] = condition
    return json.dumps(payload).encode()


def acrbot_keys(admin: redis.Redis) -> dict[bytes, int]:
    """Each key acrbot keeps and its TTL in ms, but for the few shared by every alert."""
    keys = admin.scan_iter(match="acrbot:*", count=1000)
    return {key: admin.pttl(key) for key in keys if not key.startswith(SHARED)}


def deliver(acrbot: AsgiClient, slack: FakeSlack, first: int, last: int) -> None:
    for condition, method in (("Fired", "chat.postMessage"), ("Resolved", "chat.update")):
        for n in range(first, last):
            reply = acrbot.post(
                "/alerts/azure-monitor", content=alert(n, condition), params={"token": TOKEN}
            )
            assert reply.status_code == 200, reply.text
        slack.wait_for(method, count=last, timeout=60)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis of this test alone: alert workers still finishing cannot reach another test's."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server.url
    server.stop()


def test_each_alert_leaves_a_few_keys_and_every_key_expires(tmp_path: Path, redis_url: str) -> None:
    config = tmp_path / "acrbot.yaml"
    routes = [{"resource_groups": [f"rg-{n}"], "channel": f"C{n:04d}"} for n in range(CHANNELS)]
    config.write_text(yaml.safe_dump({"alerts": {"default_channel": "C0ONCALL", "routes": routes}}))
    admin = redis.Redis.from_url(redis_url)
    with FakeSlack() as slack:
        env = {
            "ACRBOT_CONFIG": str(config),
            "ACRBOT_STATE_DIR": str(tmp_path / "state"),
            "ACRBOT_ALERT_TOKEN": TOKEN,
            "REDIS_URL": redis_url,
            "SLACK_BOT_TOKEN": "xoxb-1111-2222-alertkeys",
            "SLACK_SIGNING_SECRET": "alert-keys-signing-secret",
            "SLACK_API_URL": slack.base_url,
        }
        with AsgiClient(build_router(load_settings(env=env), background_reload=False)) as acrbot:
            deliver(acrbot, slack, 0, 10)
            after_ten = acrbot_keys(admin)
            deliver(acrbot, slack, 10, 40)
            after_forty = acrbot_keys(admin)
    per_alert = (len(after_forty) - len(after_ten)) / 30
    added = sorted(set(after_forty) - set(after_ten))
    assert per_alert <= KEYS_PER_ALERT, [key[:24] + b"..." + key[-44:] for key in added[:12]]
    lasting = {
        key: ttl
        for key, ttl in after_forty.items()
        if ttl != -2  # gone since the scan
        and not 0
        < ttl
        <= (DAILY_TALLY_TTL if b":count:alerts-triaged:" in key else LONGEST_TTL) * 1000
    }
    assert lasting == {}
