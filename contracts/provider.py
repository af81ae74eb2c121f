"""Provider conformance: run schemathesis from ``openapi/<vendor>.yaml`` against an API.

In-process against our own mock by default, so spec and mock cannot drift; or against any
base URL, which is how a user finds where the real API drifted from our spec. Against a URL the
run is read-only unless writes are allowed; then every order it creates carries a
``mockkit-conformance-`` order id and everything it created is deleted at the end.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

import requests
import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.specs.openapi.schemas import OpenApiSchema

from mocks.core.config import RuntimeConfig
from openapi.provenance import load_view

__all__ = [
    "CHECKS",
    "ProviderReport",
    "ProviderTarget",
    "keep_edit_order_id",
    "run_provider",
    "write_junit",
]

CONFORMANCE_PREFIX = "mockkit-conformance-"
IN_PROCESS_TOKEN = "mockkit-conformance-token"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
]


@dataclass
class ProviderTarget:
    vendor: str  # "sopost" or "poplar"
    url: str | None = None  # None: our mock, in-process
    token: str | None = None  # Poplar: bearer token; SoPost: "user:password" (HTTP Basic)
    allow_writes: bool = False
    max_examples: int = 25
    seed: int | None = None
    # Every constraint, against a --strict mock; by default the enforced view (assumed rules
    # dropped), against a default mock, which only warns about them.
    strict: bool = False


@dataclass
class OperationResult:
    label: str
    cases: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class ProviderReport:
    vendor: str
    target: str
    operations: dict[str, OperationResult]
    duration_s: float
    errors: list[str] = field(default_factory=list)
    cleaned_up: list[str] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(op.cases for op in self.operations.values())

    @property
    def failures(self) -> int:
        return sum(len(op.failures) for op in self.operations.values())

    @property
    def ok(self) -> bool:
        return self.failures == 0 and not self.errors


def keep_edit_order_id(case: Any, strict: bool = False) -> None:
    """Poplar's edit body ``order_id`` must equal the path's, a rule JSON Schema cannot state.

    Aligning a string there keeps positive cases positive and negative ones negative, as long
    as no string is the negative mutation: under ``strict`` (the full view) an empty one or one
    with ``/`` is (those rules are assumed), so only those are left alone; in the enforced view
    only the type is constrained, so every string is aligned (an empty one was a 400 the spec
    allows). The server sees the path percent-decoded, so the body gets the decoded value.
    """
    if case.operation.label != "POST /v1/order/{order_id}":
        return
    body, path = case.body, case.path_parameters or {}
    if not (isinstance(body, dict) and isinstance(path.get("order_id"), str)):
        return
    sent = body.get("order_id")
    if isinstance(sent, str) and (not strict or (sent and "/" not in sent)):
        body["order_id"] = unquote(path["order_id"])


def _mark_created_orders(case: Any) -> None:
    """Writes against a real API: new orders get an id that says who made them."""
    if (
        case.operation.label == "POST /v1/order"
        and isinstance(case.body, dict)
        and isinstance(case.body.get("order_id"), str)
    ):
        case.body["order_id"] = f"{CONFORMANCE_PREFIX}{uuid.uuid4()}"


def _in_process_app(vendor: str, strict: bool) -> Any:
    runtime = RuntimeConfig(clock="manual", strict=strict)
    if vendor == "sopost":
        from mocks.sopost.app import SoPostConfig
        from mocks.sopost.app import create_app as create_sopost

        return create_sopost(SoPostConfig(runtime=runtime), start=False)
    from mocks.poplar.app import PoplarConfig
    from mocks.poplar.app import create_app as create_poplar

    # A token list, so the invalid-token probe gets its 401; a limit no run reaches.
    return create_poplar(
        PoplarConfig(runtime=runtime, tokens=(IN_PROCESS_TOKEN,), rate_limit="100000000/1s"),
        start=False,
    )


def build_schema(target: ProviderTarget) -> OpenApiSchema:
    """The schema, bound to the target and filtered for safety."""
    read_only = target.url is not None and not target.allow_writes
    # Read-only runs must not probe undeclared methods either: to a filtered schema, a real
    # POST /webhooks looks "undeclared" and would be sent.
    config = schemathesis.Config.from_str(
        "[phases.coverage]\nunexpected-methods = []\n" if read_only else ""
    )
    document = load_view(target.vendor, enforced_only=not target.strict)
    schema = schemathesis.openapi.from_dict(document, config=config)
    generation: dict[str, Any] = {"max_examples": target.max_examples, "database": None}
    schema.config.generation.update(**generation)
    schema.config.checks.update(included_check_names=CHECKS)
    if target.url is None:
        schema.app = _in_process_app(target.vendor, target.strict)
        token = IN_PROCESS_TOKEN if target.vendor == "poplar" else None
    else:
        schema.config.update(base_url=target.url.rstrip("/"))
        token = target.token
        if read_only:
            schema = schema.include(method="GET")
    if token and target.vendor == "poplar":
        schema.config.update(headers={"Authorization": f"Bearer {token}"})
    elif token:
        user, _, password = token.partition(":")
        schema.config.update(basic_auth=(user, password))
    return schema


def _hooks(target: ProviderTarget, created: list[tuple[str, str]]) -> list[Any]:
    """Call hooks for this run (schemathesis only has global ones for calls)."""
    writing_remote = target.url is not None and target.allow_writes

    def before_call(ctx: Any, case: Any, kwargs: dict) -> None:
        keep_edit_order_id(case, target.strict)
        if writing_remote:
            _mark_created_orders(case)

    def after_call(ctx: Any, case: Any, response: Any) -> None:
        if not writing_remote or response.status_code >= 300:
            return
        label = case.operation.label
        if label == "POST /v1/order":
            created.append(("poplar", response.json().get("order_id", "")))
        elif label == "POST /webhooks":
            created.append(("sopost", response.json().get("id", "")))

    return [before_call, after_call]


def run_provider(target: ProviderTarget) -> ProviderReport:
    """Run every phase against the target and collect the verdict per operation."""
    created: list[tuple[str, str]] = []
    schema = build_schema(target)
    hooks = [schemathesis.hook(hook) for hook in _hooks(target, created)]
    try:
        operations, errors, elapsed = _execute(schema)
    finally:
        for hook in hooks:
            schemathesis.hooks.unregister(hook)
    report = ProviderReport(
        target.vendor, target.url or "in-process mock", operations, elapsed, errors
    )
    report.cleaned_up = _clean_up(target, created)
    return report


def _execute(schema: OpenApiSchema) -> tuple[dict[str, OperationResult], list[str], float]:
    operations: dict[str, OperationResult] = {}
    errors: list[str] = []
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.label:
            result = operations.setdefault(event.label, OperationResult(event.label))
            result.cases += len(event.recorder.cases)
            if event.skip_reason and not event.recorder.cases:
                result.skipped = event.skip_reason
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        entry = {
                            "check": check.name,
                            "title": failure.title,
                            "message": failure.message,
                            "reproduce": check.failure_info.code_sample,
                        }
                        if entry not in result.failures:
                            result.failures.append(entry)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "info", None) or getattr(event, "exception", "")))
    return operations, errors, round(time.perf_counter() - started, 3)


def _clean_up(target: ProviderTarget, created: list[tuple[str, str]]) -> list[str]:
    """Delete what a writing run created on a real API; answer what is gone now.

    A 404 counts as gone: the run's own stateful phase deletes much of what it creates.
    """
    deleted = []
    session = requests.Session()
    if target.vendor == "poplar" and target.token:
        session.headers["Authorization"] = f"Bearer {target.token}"
    elif target.token:
        user, _, password = target.token.partition(":")
        session.auth = (user, password)
    base = (target.url or "").rstrip("/")
    for vendor, identifier in created:
        path = f"/v1/order/{identifier}" if vendor == "poplar" else f"/webhooks/{identifier}"
        if identifier and session.delete(base + path, timeout=10).status_code in (200, 204, 404):
            deleted.append(path)
    return deleted


def write_junit(report: ProviderReport, path: str) -> None:
    suite = ElementTree.Element(
        "testsuite",
        name=f"mockkit provider {report.vendor}",
        tests=str(len(report.operations)),
        failures=str(sum(bool(o.failures) for o in report.operations.values())),
        time=str(report.duration_s),
    )
    for operation in report.operations.values():
        case = ElementTree.SubElement(
            suite, "testcase", classname=report.vendor, name=operation.label
        )
        for failure in operation.failures:
            node = ElementTree.SubElement(
                case, "failure", type=failure["check"], message=failure["title"]
            )
            node.text = f"{failure['message']}\n\nReproduce with:\n{failure['reproduce']}"
        if operation.skipped and not operation.cases:
            ElementTree.SubElement(case, "skipped", message=operation.skipped)
    ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
