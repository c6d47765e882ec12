"""SIGTERM: a request in flight finishes and is answered, new connections are
refused, and the server exits 0 - with one process and with several workers."""

from __future__ import annotations

import json
import signal
import socket
import time

import httpx
import pytest

from .. import factories as f
from .conftest import Serve
from .processes import ServeProcess, worker_pids


def _start_slow_seed(proc: ServeProcess) -> tuple[socket.socket, bytes]:
    """Open a seed request and send all but the end of its body: the request is in
    flight, its handler waiting for the rest."""
    account = f.account("Finished During Shutdown")
    body = json.dumps({"accounts": [account]}).encode()
    head = (
        "POST /_cfaccounts/seed HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{proc.port}\r\n"
        f"Authorization: Bearer {proc.admin_token}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", proc.port), timeout=20)
    sock.sendall(head + body[:10])
    return sock, body[10:]


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            # Accepted by the kernel but nobody serves it: also not a new request.
            s.sendall(b"GET /_cfaccounts/health HTTP/1.1\r\nHost: x\r\n\r\n")
            return s.recv(100) == b""
    except (ConnectionRefusedError, ConnectionResetError, TimeoutError):
        return True


def _read_response(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0(
    serve: Serve, fresh_database: str, workers: int
) -> None:
    proc = serve(fresh_database, "--workers", str(workers))
    if workers > 1:
        deadline = time.monotonic() + 30
        while len(worker_pids(proc.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
    sock, rest = _start_slow_seed(proc)
    time.sleep(0.3)  # the request has reached its handler's body read
    proc.signal(signal.SIGTERM)

    deadline = time.monotonic() + 10
    while not _refused(proc.port):
        assert time.monotonic() < deadline, "new connections still served"
        time.sleep(0.1)
    assert proc.proc is not None and proc.proc.poll() is None  # still finishing

    sock.sendall(rest)
    response = _read_response(sock)
    sock.close()
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
    assert proc.wait(20) == 0

    again = serve(fresh_database, demo=False)
    state = again.admin("GET", "/state").json()["result"]
    assert "Finished During Shutdown" in {a["name"] for a in state["accounts"]}
    assert httpx.get(again.url + "/_cfaccounts/health").status_code == 200
