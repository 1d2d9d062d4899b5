"""The gunicorn master reads the settings and supervises: search's libraries stay out of it.

Whatever the master imports is resident in it beside the workers' own copies
(the workers build everything after the fork), and a replica's memory is the
sum of both (issue 17).
"""

from __future__ import annotations

import subprocess
import sys

SEARCH_ONLY = ("numpy", "wordfreq", "opencc", "markdown_it", "rapidfuzz", "bot.knowledge.index")


def test_the_serve_command_and_the_server_import_no_search_library():
    code = (
        "import sys, bot.cli, bot.cli.serve, bot.config, bot.web.serve\n"
        f"print(','.join(m for m in {SEARCH_ONLY!r} if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == ""
