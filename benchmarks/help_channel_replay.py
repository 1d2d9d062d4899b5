"""Feed a labelled set into a help channel of the fake Slack, in order; precision and recall.

    python benchmarks/help_channel_replay.py tests/eval/help_channel_dev.jsonl [-v]

The real Bolt app (signed events, listeners, services) reads each message
as Slack would deliver it; what it posts in each message's thread is
compared with the label. The rate limit is raised for the replay (it is
about answers, not pacing). Tune on the dev set; the held-out set once.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.knowledge.channel_evaluation import read_labelled
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import FakeSlack
from tests.slack.helpdesk_bot import HELP, counter, posts, start_helpdesk_bot, wait_until

OUTCOMES = (
    "answered",
    "not-a-question",
    "low-confidence",
    "close-second",
    "nothing-found",
    "rate-limited",
    "already-answered",
)


def handled() -> float:
    return sum(counter("help_channel", outcome) for outcome in OUTCOMES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    rows = read_labelled(args.path)
    config = {"slack": {"help_channels": [HELP], "help_rate_limit": {"max_answers": 10_000}}}
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        bot = start_helpdesk_bot(Path(tmp), slack, config=config)
        sent, answered_before = [], counter("help_channel", "answered")
        for row in rows:
            before = handled()
            event = sr.message_channel(row["text"], user="UASKER", channel=HELP)
            bot.event(event)
            wait_until(lambda before=before: handled() > before, timeout=30)
            sent.append(event["ts"])
        # "answered" is counted just before the post: wait for the posts themselves too.
        decided = counter("help_channel", "answered") - answered_before
        wait_until(lambda: len(posts(slack, HELP)) >= decided, timeout=30)
        answers = {p["thread_ts"]: p for p in posts(slack, HELP)}
    right = wrong = missed = 0
    for row, ts in zip(rows, sent, strict=True):
        got = _entry(answers.get(ts))
        if got and row["should_answer"] and got == row["anchor"]:
            right += 1
            continue
        if got:
            wrong += 1
        elif row["should_answer"]:
            missed += 1
        else:
            continue
        if args.verbose:
            verdict = "wrong " if got else "missed"
            print(f"  {verdict} got={got} want={row['anchor']}  {row['text'][:80]}")
    answered, expected = right + wrong, right + missed
    print(f"{args.path}: {len(rows)} messages replayed into {HELP}")
    print(f"  answered {answered} (right {right}, wrong {wrong}); missed {missed}")
    print(
        f"  precision {right / answered if answered else 1:.3f}  "
        f"recall {right / expected if expected else 1:.3f}"
    )


def _entry(message: dict | None) -> str | None:
    if message is None:
        return None
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == "feedback_up":
                return json.loads(element["value"])["k"].split("#")[-1]
    return None


if __name__ == "__main__":
    main()
