"""The control API is mockkit's own: its rules are enforced, never downgraded to warnings.

Evidence grading is about the vendors' APIs. When the control spec's rules (all tagged
``assumed``, being our design) were graded too, a transition without ``status`` reached the
handler and was a 500.
"""

from __future__ import annotations

from mocks.core.config import RuntimeConfig
from mocks.sopost.app import create_app
from mocks.sopost.config import SoPostConfig
from mocks.sopost.fixtures import GUIDE


def test_a_control_request_breaking_the_control_spec_is_a_400_naming_the_field() -> None:
    config = SoPostConfig(runtime=RuntimeConfig(clock="manual"), fixture_orders=0)
    client = create_app(config, start=False).test_client()
    path = f"/_mock/orders/{GUIDE.order}/transition"
    for body, field in (({}, "status"), ({"stat": "APPROVED"}, "stat")):
        response = client.post(path, json=body)
        assert response.status_code == 400, response.json
        assert response.headers.getlist("X-Mockkit-Warning") == []
        assert field in response.json["error"]["message"]
    assert client.post(path, json={"status": "APPROVED"}).status_code == 200
