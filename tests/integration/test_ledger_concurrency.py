"""Eight writers appending at once on PostgreSQL leave a gap-free, verifying chain with no entry lost."""

import datetime as dt
import multiprocessing

import pytest

from ledger.accounts import Direction
from ledger.entries import EntryDraft, Posting, new_entry_id


def _writer(args):
    url, key_dir, n_batches, batch_size = args
    import main
    from tests.conftest import make_settings  # noqa: F401
    from config.settings import Settings

    c = main.build(Settings(database_url=url, key_dir=key_dir, scheduler=False), migrate=False)
    ids = []
    for _ in range(n_batches):
        drafts = [EntryDraft(new_entry_id(), dt.date(2026, 8, 1), "payment_sent",
                             (Posting("100-2010", Direction.DEBIT, 100, "USD"),
                              Posting("100-1050", Direction.CREDIT, 100, "USD"))) for _ in range(batch_size)]
        c.ledger.post(drafts)
        ids += [d.id for d in drafts]
    c.engine.dispose()
    return ids


@pytest.mark.postgres
def test_eight_concurrent_writers_on_postgresql(pg_url, tmp_path, clock):
    import main
    from tests.conftest import make_settings

    c = main.build(make_settings(pg_url, tmp_path), clock=clock, migrate=True)
    main.initialize(c, example=True)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(8) as pool:
        results = pool.map(_writer, [(pg_url, str(tmp_path / "keys"), 5, 20)] * 8)
    written = {i for ids in results for i in ids}
    assert len(written) == 8 * 5 * 20
    report = c.ledger.verify(workers=2)
    assert report.ok, report.describe()
    with c.uow(read_only=True) as uow:
        stored = {e.id for e in uow.ledger.iter_entries()}
    assert written <= stored
    assert report.head_sequence == len(stored)
    c.engine.dispose()


def test_sqlite_writers_serialize_on_begin_immediate(tmp_path, clock):
    import main
    from tests.conftest import make_settings

    url = f"sqlite:///{tmp_path / 'd.db'}"
    c = main.build(make_settings(url, tmp_path), clock=clock, migrate=True)
    main.initialize(c, example=True)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.map(_writer, [(url, str(tmp_path / "keys"), 3, 10)] * 4)
    assert len({i for ids in results for i in ids}) == 120
    assert c.ledger.verify(workers=1).ok
