"""The flow view as one more service of ``mockkit serve``, pointed at the services it runs."""

from __future__ import annotations

from mockkit.serve import Service, options_env, reachable

__all__ = ["UI_ENV", "ui_service"]

UI_ENV = "MOCKKIT_UI_OPTIONS"  # the flow view's options, as JSON (mockkit.ui.app reads them)


def ui_service(host: str, port: int, started: list[Service], client_timeout: float) -> Service:
    """The flow view over the ``started`` services ("SoPost mock", "Poplar mock", "Harness"),
    giving a client ``client_timeout`` seconds for its body, as every other service does."""
    running = {service.name.split()[0].lower(): service for service in started}
    local = reachable(host)

    def url(name: str) -> str | None:
        return running[name].url(local) if name in running else None

    harness = running.get("harness")
    options = {
        "sopost_url": url("sopost"),
        "poplar_url": url("poplar"),
        "harness_url": url("harness"),
        "harness_token": harness.env.get("HARNESS_ADMIN_TOKEN") if harness else None,
        "hosts": sorted({"127.0.0.1", "localhost", local}),
        "client_timeout": client_timeout,
    }
    return Service(
        "Flow view", port, "mockkit.ui.app:served_app", "/api/flow", options_env(UI_ENV, options)
    )
