"""Tricky webhook URLs: refused at subscription, or sent only to loopback, never beyond.

Every URL goes through a real delivery (the dispatcher's target check, then the pinned
sender) with a fake DNS and a connect function that records each address and refuses, without
opening a socket, any that is not loopback. The receiver is real and listens on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, redirect
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection

from mocks.core.clock import ManualClock, Scheduler
from mocks.core.faults import Faults
from mocks.core.pinned_http import pinned_sender
from mocks.core.receiver import RecordingReceiver
from mocks.core.server import LiveServer
from mocks.core.webhook_targets import TargetPolicy, TargetRefused, parse_target
from mocks.core.webhooks import Dispatcher, Message

# Refused at subscription: the sender and another reader could see different hosts.
REFUSED = [
    r"http://example.invalid\.localhost/",
    r"http://127.0.0.1:{port}\@example.invalid/",
    r"http://127.0.0.1:{port}/a\b",
    "http://user:secret@127.0.0.1:{port}/",
    "http://127.0.0.1:{port}@example.invalid/",
    "http://%6c%6fcalhost:{port}/",
    "http://localhost%2eexample.invalid/",
    "http://[::1%25lo]:{port}/",
    "http://0x7f.1:{port}/",
    "http://2130706433:{port}/",
    "http://127.1:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.0.0.01:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[0:0:0:0:0:0:0:1]:{port}/",
    "http://localhost.:{port}/",
    "http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54:{port}/",
    "http://local\thost:{port}/",
    "http://127.0.0.1:{port}/\r\nHost: example.invalid",
    "http://127.0.0.1:{port}/a b",
    "ftp://127.0.0.1:{port}/",
    "file:///etc/passwd",
    "//127.0.0.1:{port}/hook",
    "http:/127.0.0.1:{port}/hook",
    "http://[::1:{port}/hook",
    "http://localhost:99999/",
    "http://127.0.0.1:0/",
    "http:///hook",
    "",
]

# Well-formed, so accepted; the send-time check decides. "delivered": reached the receiver;
# "loopback": a loopback connection was tried (nothing listens there); "blocked": no
# connection at all.
SENT = [
    ("http://127.0.0.1:{port}/hook", "delivered"),
    ("HTTP://LOCALHOST:{port}/Hook", "delivered"),
    ("http://receiver.localhost:{port}/hook", "delivered"),
    ("http://localhost:{port}#@example.invalid/", "delivered"),
    ("http://127.0.0.1:{port}?@example.invalid/", "delivered"),
    ("http://hosts-file.test:{port}/hook", "delivered"),
    ("http://[::1]:{port}/hook", "loopback"),
    ("http://127.0.0.2:{port}/hook", "loopback"),
    ("http://example.invalid/hook", "blocked"),
    ("https://example.com/webhooks", "blocked"),
    ("http://mixed.test:{port}/hook", "blocked"),
    ("http://unresolvable.test:{port}/hook", "blocked"),
    ("http://10.0.0.1:{port}/hook", "blocked"),
    ("http://169.254.169.254/latest/meta-data/", "blocked"),
    ("http://0.0.0.0:{port}/hook", "blocked"),
    ("http://[::]:{port}/hook", "blocked"),
    ("http://rebind.test:{port}/hook", "blocked"),
]


class FakeDns:
    """Names resolve from a table; ``rebind.test`` answers loopback once, then elsewhere."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.rebind_answers = [["127.0.0.1"]]

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host == "rebind.test":
            return self.rebind_answers.pop(0) if self.rebind_answers else ["203.0.113.5"]
        table = {
            "hosts-file.test": ["127.0.0.1"],
            "example.invalid": ["203.0.113.9"],
            "example.com": ["93.184.215.14"],
            "mixed.test": ["127.0.0.1", "203.0.113.7"],
        }
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]


class RecordingConnect:
    """Records every address a connection is opened to; refuses non-loopback ones unopened."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.refused: list[str] = []

    def __call__(self, address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host = address[0]
        if not ipaddress.ip_address(host).is_loopback:
            self.refused.append(host)
            raise OSError(f"test refused to open a socket to {host}")
        self.opened.append(host)
        return connection.create_connection(address, *args, **kwargs)


@pytest.fixture(scope="module")
def sink() -> Iterator[RecordingReceiver]:
    with RecordingReceiver() as receiver:
        yield receiver


def deliver(url: str, policy: TargetPolicy, connect: RecordingConnect) -> str:
    """One delivery through the real dispatcher and pinned sender; its first attempt's outcome."""
    dispatcher = Dispatcher(
        Scheduler(ManualClock(start=0)),
        Faults(),
        sender=pinned_sender(policy, "test", connect=connect),
        policy=policy,
        timeout=2.0,
    )
    delivery = dispatcher.enqueue(Message("sub", url, None, "e" * 40, "APPROVED", {}))
    dispatcher.process_ready()
    first = delivery.attempts[0]
    return f"status {first.status}" if first.status else first.outcome


@pytest.mark.parametrize("template", REFUSED)
def test_tricky_urls_are_refused_at_subscription_and_never_contacted(
    template: str, sink: RecordingReceiver
) -> None:
    url = template.format(port=sink.url.split(":")[2].split("/")[0])
    with pytest.raises(TargetRefused):
        parse_target(url)
    # Even if such a URL was stored earlier, a send refuses it before any lookup or socket.
    dns, connect = FakeDns(), RecordingConnect()
    assert deliver(url, TargetPolicy(resolve=dns), connect) == "blocked"
    assert (dns.asked, connect.opened, connect.refused) == ([], [], [])


@pytest.mark.parametrize(("template", "expected"), SENT)
def test_accepted_urls_reach_loopback_only(
    template: str, expected: str, sink: RecordingReceiver
) -> None:
    url = template.format(port=sink.url.split(":")[2].split("/")[0])
    parse_target(url)  # accepted at subscription
    sink.clear()
    connect = RecordingConnect()
    outcome = deliver(url, TargetPolicy(resolve=FakeDns()), connect)
    assert connect.refused == []  # the sender never even tried an address beyond loopback
    assert all(ipaddress.ip_address(a).is_loopback for a in connect.opened)
    if expected == "delivered":
        assert outcome == "status 200"
        assert len(sink.received) == 1
    elif expected == "loopback":
        assert outcome == "error" and connect.opened
    else:
        assert outcome in ("blocked", "error") and connect.opened == []
        assert sink.received == []


def test_a_name_that_rebinds_after_the_check_is_not_connected_to() -> None:
    """The check sees loopback; the connection asks again, sees another machine, and stops."""
    dns, connect = FakeDns(), RecordingConnect()
    policy = TargetPolicy(resolve=dns)
    assert policy.check("http://rebind.test:9/hook").addresses == ("127.0.0.1",)
    with pytest.raises(NewConnectionError, match="not loopback"):
        pinned_sender(policy, "test", connect=connect)("http://rebind.test:9/hook", b"", {}, 1)
    assert dns.asked == ["rebind.test", "rebind.test"]
    assert (connect.opened, connect.refused) == ([], [])


def test_an_allowed_host_may_resolve_anywhere() -> None:
    policy = TargetPolicy(allowed_hosts=["Example.invalid"], resolve=FakeDns())
    assert policy.check("http://example.invalid/hook").addresses == ("203.0.113.9",)


def test_redirects_are_never_followed() -> None:
    app = Flask(__name__)
    app.add_url_rule(
        "/hook", "hook", lambda: redirect("http://203.0.113.1/elsewhere", 307), methods=["POST"]
    )
    connect = RecordingConnect()
    with LiveServer(app) as server:
        sender = pinned_sender(TargetPolicy(), "test", connect=connect)
        assert sender(f"{server.url}/hook", b"{}", {}, 2.0) == 307
    assert (connect.opened, connect.refused) == (["127.0.0.1"], [])
