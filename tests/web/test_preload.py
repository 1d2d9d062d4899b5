"""What a server process only reads is loaded once and frozen out of the collector's walk.

Run in a fresh interpreter each: preloading freezes the whole process's
objects, which the test run's own process must not have done to it.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json, sys
from bot.web.preload import preload
first = preload()
second = preload()
from bot.knowledge.general_words import common_words
walked = {id(o) for o in gc.get_objects()}
print(json.dumps({
    "first": first, "second": second,
    "numpy": "numpy" in sys.modules, "bolt": "slack_bolt" in sys.modules,
    "words_walked": id(common_words("zh")) in walked or id(common_words("en")) in walked,
    "walked": len(walked),
}))
"""


def probe() -> dict:
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def test_the_workers_code_and_tables_are_loaded_and_frozen_once():
    found = probe()
    assert found["numpy"] and found["bolt"]  # the worker's code came with it
    assert found["first"] > 10_000 and found["second"] == 0
    # A full collection no longer walks the everyday-word sets (300,000 words) ...
    assert not found["words_walked"]
    # ... nor anything else loaded so far: only what was made after the freeze.
    assert found["walked"] < found["first"] / 10


def test_a_knowledge_base_built_after_it_is_still_collected():
    """A reload frees the snapshot it replaces: the knowledge base is not frozen."""
    code = (
        "import gc\nfrom bot.web.preload import preload\npreload()\n"
        "from bot.config import load_settings\nfrom bot.knowledge.library import Library\n"
        "library = Library.from_settings(load_settings(None, env={}).knowledge)\n"
        "print(any(o is library.current.index for o in gc.get_objects()))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "True"
