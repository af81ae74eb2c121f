"""Poplar accounts are bounded: past the cap the least recently used account is dropped."""

from __future__ import annotations

from mocks.core.config import RuntimeConfig
from mocks.poplar.app import PoplarConfig, create_app
from mocks.poplar.config import DEFAULT_MAX_ACCOUNTS


def test_accounts_beyond_the_cap_evict_the_least_recently_used() -> None:
    app = create_app(
        PoplarConfig(runtime=RuntimeConfig(clock="manual"), max_accounts=3), start=False
    )
    client, state = app.test_client(), app.extensions["mockkit"].state
    for name in ("a", "b", "c"):
        client.get("/v1/me", headers={"Authorization": f"Bearer prod_{name}"})
    client.get("/v1/me", headers={"Authorization": "Bearer prod_a"})  # a is used again
    client.get("/v1/me", headers={"Authorization": "Bearer prod_d"})
    assert [state.find(f"prod_{n}") is not None for n in "abcd"] == [True, False, True, True]
    assert len(state.accounts()) == 3


def test_the_default_cap_is_ten_thousand() -> None:
    assert DEFAULT_MAX_ACCOUNTS == 10_000
    assert PoplarConfig().max_accounts == 10_000
