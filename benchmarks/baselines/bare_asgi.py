"""The server's own limit: an ASGI app that answers 200 to anything, read nothing else.

``python -m uvicorn benchmarks.baselines.bare_asgi:app`` (uvicorn's defaults).
"""

from __future__ import annotations


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
    )
    await send({"type": "http.response.body", "body": b""})
