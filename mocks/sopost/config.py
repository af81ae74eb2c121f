"""The SoPost mock's settings, free of Flask, so the CLI builds them without importing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from mocks.core.config import RuntimeConfig

__all__ = ["LifecycleConfig", "SoPostConfig"]


@dataclass
class LifecycleConfig:
    """How fast orders move (seconds of mock time)."""

    filtering_delay: float = 2.0
    review_delay: float = 30.0
    stage_delays: tuple[float, ...] = (10.0, 30.0, 60.0)
    review_approval_rate: float = 0.7
    seed: int = 0


@dataclass
class SoPostConfig:
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    lifecycle: LifecycleConfig = field(default_factory=LifecycleConfig)
    require_auth: bool = False
    fixture_orders: int = 50
    webhook_timeout: float = 10.0
    retry_scale: float = 1.0  # multiplies the webhook retry schedule (verify compresses it)
    allow_webhook_hosts: tuple[str, ...] = ()
    webhook_workers: int = 4
