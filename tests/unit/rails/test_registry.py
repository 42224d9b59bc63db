"""The rail registry: built-ins by name, and a third-party rail installed through the disburse.rails entry point."""

import datetime as dt
import sys
import textwrap

import pytest

from adapters.clock import FixedClock
from adapters.rails.iso20022.rail import Iso20022Rail
from adapters.rails.nacha.rail import NachaRail
from adapters.rails.registry import BUILTIN_RAILS, RailContext, RailRegistry, names
from payments.disbursements.rails import RailSec, UnknownRail
from tests.unit.rails.test_nacha_rail import EXAMPLES

TINY_RAIL = textwrap.dedent('''
    """A bank's rail shipped as its own package: it only counts what it is given."""
    import datetime as dt
    from payments.disbursements.rails import RailCapabilities, RailSec, RailSubmission

    class TinyRail:
        name = "tiny"

        def __init__(self, context):
            self.context = context
            self.batches = {}

        def capabilities(self):
            return RailCapabilities(frozenset({RailSec.CCD}))

        def submit(self, batch):
            duplicate = batch.submission_id in self.batches
            self.batches[batch.submission_id] = batch
            return RailSubmission(batch.submission_id, "tiny", "TINY-" + batch.submission_id[-6:],
                                  dt.datetime.now(dt.timezone.utc), len(batch.payments), batch.total_minor, duplicate)

        def lookup(self, submission_id):
            return None

        def status(self, submission):
            return []

    def build(context):
        return TinyRail(context)
''')


@pytest.fixture
def context(tmp_path):
    from config.policy import load_policy

    return RailContext(policy=load_policy(), outbox_dir=tmp_path / "outbox",
                       clock=FixedClock(dt.datetime(2026, 11, 2, 15, tzinfo=dt.timezone.utc)))


def test_the_builtins_are_built_by_name(context):
    registry = RailRegistry(context)
    assert {"nacha", "iso20022", "sandbox"} <= set(BUILTIN_RAILS)
    assert isinstance(registry.get("nacha"), NachaRail)
    assert isinstance(registry.get("iso20022"), Iso20022Rail)
    assert registry.get("sandbox").name == "sandbox"
    assert registry.get("nacha") is registry.get("nacha")
    with pytest.raises(UnknownRail):
        registry.get("carrier-pigeon")


def test_a_rail_installed_through_an_entry_point_is_found_and_used(tmp_path, context, monkeypatch):
    site = tmp_path / "site"
    (site / "tinyrail-0.1.dist-info").mkdir(parents=True)
    (site / "tinyrail.py").write_text(TINY_RAIL)
    (site / "tinyrail-0.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyrail\nVersion: 0.1\n")
    (site / "tinyrail-0.1.dist-info" / "entry_points.txt").write_text("[disburse.rails]\ntiny = tinyrail:build\n")
    monkeypatch.syspath_prepend(str(site))
    assert "tiny" in names()
    rail = RailRegistry(context).get("tiny")
    receipt = rail.submit(EXAMPLES["ccd_plus_one_invoice"])
    assert receipt.reference.startswith("TINY-") and receipt.payment_count == 1
    assert rail.capabilities().supports(RailSec.CCD, "USD")
    monkeypatch.delitem(sys.modules, "tinyrail", raising=False)
