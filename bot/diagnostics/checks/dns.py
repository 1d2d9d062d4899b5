"""Name resolution with a timeout, which ``socket.getaddrinfo`` does not offer by itself.

The lookup runs in a daemon thread so a hung resolver costs the check its
time budget, not the worker. The resolver is a plain callable so tests can
simulate NXDOMAIN without touching the network.
"""

from __future__ import annotations

import socket
import threading


def system_resolver(host: str, timeout: float) -> list[str]:
    """The IP addresses ``host`` resolves to; ``OSError`` (incl. ``TimeoutError``) if none."""
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
            outcome["ips"] = sorted({str(info[4][0]) for info in infos})
        except OSError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=lookup, name="acrbot-dns", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"no DNS answer within {timeout:g} s")
    error = outcome.get("error")
    if isinstance(error, OSError):
        raise error
    ips = outcome.get("ips")
    if not isinstance(ips, list) or not ips:
        raise socket.gaierror(socket.EAI_NONAME, "no addresses")
    return ips
