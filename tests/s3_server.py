"""moto's standalone S3 and CloudFront server on 127.0.0.1, behind a small
proxy of ours that counts requests and can go away mid-publish.

The proxy forwards each request to moto unchanged and records its method and
path, so a test can count the PUTs and DELETEs a publish made and see their
order. ``stop_after_puts(n)`` makes it stop listening once n PUTs went
through (the connection of the next one is dropped unanswered): to the
publish, the storage is gone. moto keeps its objects meanwhile (stopping moto
itself would lose them: its state lives in memory), so when the proxy starts
again on the same port, the next publish sees what the first one left.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.server import ThreadedMotoServer

# Dummy credentials for boto3's standard chain: moto accepts any.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing-key-id",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_SESSION_TOKEN": "testing-session",
    "AWS_DEFAULT_REGION": "us-east-1",
    # One try, so that the fault test does not wait for backoff.
    "AWS_MAX_ATTEMPTS": "1",
    # Never ask the EC2 metadata address for credentials: 127.0.0.1 only.
    "AWS_EC2_METADATA_DISABLED": "true",
}
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Request:
    method: str
    path: str


@dataclass
class Log:
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Stop after this many PUTs (None: never).
    put_limit: int | None = None
    puts: int = 0
    # Bytes of the bodies of every PUT passed on.
    put_bytes: int = 0
    # Seconds each PUT waits before it is passed on: a slow network.
    put_delay: float = 0.0
    # This many PUTs from now on have their connection dropped (a flaky network).
    drop_puts: int = 0
    dropped: int = 0
    tripped: threading.Event = field(default_factory=threading.Event)

    def count(self, method: str) -> int:
        return sum(request.method == method for request in self.requests)

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.puts = self.put_bytes = 0


class CountingProxy:
    def __init__(self, upstream_port: int, port: int) -> None:
        self.upstream_port = upstream_port
        self.port = port
        self.log = Log()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                log = proxy.log
                with log.lock:
                    if log.tripped.is_set() or (
                        self.command == "PUT" and log.put_limit is not None and log.puts >= log.put_limit
                    ):
                        log.tripped.set()
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if self.command == "PUT" and log.drop_puts:
                        log.drop_puts -= 1
                        log.dropped += 1
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    log.requests.append(Request(self.command, self.path))
                    if self.command == "PUT":
                        log.puts += 1
                        log.put_bytes += len(body)
                if self.command == "PUT" and log.put_delay:
                    time.sleep(log.put_delay)
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response_only(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_HEADERS and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.server = None

    def stop_after_puts(self, count: int) -> None:
        self.log.put_limit, self.log.puts = count, 0
        self.log.tripped.clear()

    def restart(self) -> None:
        """Listen again, passing everything (after a stop_after_puts)."""
        self.stop()
        self.log.put_limit = None
        self.log.tripped.clear()
        self.start()


class S3Server:
    """moto on one port, our proxy on another; both stop with ``close()``."""

    def __init__(self) -> None:
        # moto's server logs every request through werkzeug: errors only.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.moto_port = free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.moto.start()
        self.proxy = CountingProxy(self.moto_port, free_port())
        self.proxy.start()

    @property
    def url(self) -> str:
        return self.proxy.url

    @property
    def log(self) -> Log:
        return self.proxy.log

    def client(self, service: str):
        import boto3

        return boto3.session.Session(
            aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=AWS_ENV["AWS_DEFAULT_REGION"],
        ).client(service, endpoint_url=f"http://127.0.0.1:{self.moto_port}")

    def close(self) -> None:
        self.proxy.stop()
        self.moto.stop()
