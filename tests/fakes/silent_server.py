"""A TCP listener that accepts connections and never answers: a hung Redis (or proxy).

Redis frozen by SIGSTOP stops accepting too once its backlog fills; this one
keeps accepting, which is what a half-dead proxy in front of Azure Cache
does, and it counts what the client does: connections accepted, and how many
are open right now (a connection closes when the client gives up on it).
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType


class SilentServer:
    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1024)
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self.accepted = 0
        self.open = 0
        self.max_open = 0
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> SilentServer:
        threading.Thread(target=self._accept, name="silent-accept", daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._listener.close()

    def reset_max_open(self) -> None:
        with self._lock:
            self.max_open = self.open

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self.open += 1
                self.max_open = max(self.max_open, self.open)
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn: socket.socket) -> None:
        """Read whatever the client sends, answer nothing, note when it hangs up."""
        with conn:
            while True:
                try:
                    if not conn.recv(65536):
                        break
                except OSError:
                    break
        with self._lock:
            self.open -= 1
