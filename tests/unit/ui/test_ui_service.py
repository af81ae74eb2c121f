"""The flow view as `mockkit serve` starts it: its body deadline is the CLI's client timeout."""

from __future__ import annotations

import json

from mockkit.serve import Service
from mockkit.ui.app import served_app
from mockkit.ui.service import UI_ENV, ui_service


def test_the_flow_view_gives_a_client_the_served_client_timeout(monkeypatch) -> None:
    sopost = Service("SoPost mock", 18080, "mockkit.apps:sopost_app", "/_mock/health")
    service = ui_service("127.0.0.1", 18083, [sopost], client_timeout=2.5)
    assert json.loads(service.env[UI_ENV])["sopost_url"] == "http://127.0.0.1:18080"
    monkeypatch.setenv(UI_ENV, service.env[UI_ENV])
    assert served_app().body_timeout == 2.5
