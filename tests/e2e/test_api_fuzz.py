"""Property-based fuzzing of the OpenAPI document with schemathesis (issue 12, "keep it from coming back").

Every operation the API documents is called with generated requests, valid and invalid, by a signed-in user who
holds every staff role but administration (so the calls get past authorization into the services), against the
example agency on SQLite. The properties: no answer is a 5xx (``not_a_server_error``), and every answer matches
the schema its operation documents for it (``response_schema_conformance``; errors are RFC 9457 problems).

The example budget is fixed and the generation derandomized, so CI runs the same requests every time, in well
under two minutes (``FUZZ_EXAMPLES`` per operation; raise ``DISBURSE_FUZZ_EXAMPLES`` locally to search harder).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from adapters.clock import FixedClock
from payments.identity import Role
from tests.e2e.people import People, build_stack

FUZZ_EXAMPLES = int(os.environ.get("DISBURSE_FUZZ_EXAMPLES", "6"))
ROLES = (Role.AP_CLERK, Role.AP_APPROVER, Role.TREASURER, Role.VENDOR_ADMIN, Role.AUDITOR)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):  # noqa: ANN001, ANN201
    """The example agency behind the real app, and a token for a user with every staff role but admin."""
    import main

    tmp = tmp_path_factory.mktemp("fuzz")
    clock = FixedClock(dt.datetime(2026, 11, 2, 15, tzinfo=dt.timezone.utc))
    container = build_stack(f"sqlite:///{tmp / 'fuzz.db'}", tmp, clock)
    main.initialize(container, example=True)
    headers = People(container).headers("fuzz", *ROLES)
    app = main.create_app(container)
    yield app, headers
    container.engine.dispose()


def _fuzz(operation, headers: dict) -> str | None:  # noqa: ANN001
    """Run the operation's examples; the first failure, summarized, or None."""

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case) -> None:  # noqa: ANN001
        case.call_and_validate(headers=headers, checks=[checks.not_a_server_error,
                                                        checks.response_schema_conformance])

    try:
        run()
    except Exception as exc:  # noqa: BLE001 - schemathesis raises its failure groups; each is reported, not raised
        return " | ".join(line.strip() for line in str(exc).splitlines() if line.strip())[:1500]
    return None


def test_no_operation_answers_5xx_or_breaks_its_documented_schema(fuzzed):  # noqa: ANN001
    app, headers = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60, "the OpenAPI document lost its operations"
    failures = {op.label: failure for op in operations if (failure := _fuzz(op, headers)) is not None}
    assert failures == {}, "\n\n".join(f"{label}: {failure}" for label, failure in failures.items())
