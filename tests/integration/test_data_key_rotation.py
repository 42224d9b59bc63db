"""`disburse data-keys rotate`: the field cipher's key rotation, reachable, resumable and audited.

The City of Riverton's example vendors have TINs and bank accounts on file, sealed under the first data key.
An operator rotates: a new key becomes active, every secret is re-sealed under it and still opens to the same
number, the audit trail names the operator, and the old key stays in the keyring. Interrupted half-way, the
same command with --resume finishes what is left.
"""

import base64
import json
import shutil

import pytest
from sqlalchemy import select

import main
from adapters.db.ap import ap_tables
from adapters.db.data_keys import ENCRYPTED_COLUMNS, reseal
from adapters.db.people import identity_tables
from adapters.keys.field_cipher import AesGcmFieldCipher


def _use(folder, monkeypatch) -> None:
    monkeypatch.setenv("DISBURSE_DATABASE_URL", f"sqlite:///{folder / 'd.db'}")
    monkeypatch.setenv("DISBURSE_KEY_DIR", str(folder / "keys"))
    monkeypatch.setenv("DISBURSE_OUTBOX_DIR", str(folder / "outbox"))
    monkeypatch.setenv("DISBURSE_SCHEDULER", "false")


@pytest.fixture(scope="module")
def riverton_once(tmp_path_factory):
    folder = tmp_path_factory.mktemp("riverton")
    with pytest.MonkeyPatch.context() as mp:
        _use(folder, mp)
        assert main.cli(["init", "--example"]) == 0
    return folder


@pytest.fixture
def riverton(riverton_once, tmp_path, monkeypatch, capsys):
    """A copy of the example agency, so each test rotates its own keys."""
    shutil.copytree(riverton_once, tmp_path / "agency")
    _use(tmp_path / "agency", monkeypatch)
    capsys.readouterr()
    return main.build()


def secrets_at_rest(container) -> dict[str, tuple[str, str]]:
    """Every sealed secret as (the data key it is under, what it opens to)."""
    cipher = AesGcmFieldCipher.open(container.settings.path("key_dir"))
    out = {}
    with container.engine.connect() as conn:
        for row_id, blob in conn.execute(select(identity_tables.vendor_bank_accounts.c.id,
                                                identity_tables.vendor_bank_accounts.c.account_ciphertext)):
            out[row_id] = (cipher.key_id_of(blob), cipher.decrypt(blob, row_id=row_id, column="account_number"))
        for row_id, text in conn.execute(select(ap_tables.vendors.c.id, ap_tables.vendors.c.tin_ciphertext)
                                         .where(ap_tables.vendors.c.tin_ciphertext.is_not(None))):
            blob = base64.b64decode(text)
            out[row_id] = (cipher.key_id_of(blob), cipher.decrypt(blob, row_id=row_id, column="vendors.tin"))
    return out


def test_rotating_reseals_every_secret_under_the_new_key_and_each_still_opens_to_the_same_number(riverton, capsys):
    before = secrets_at_rest(riverton)
    assert len(before) >= 2 and len({key for key, _ in before.values()}) == 1
    assert main.cli(["data-keys", "rotate", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    after = secrets_at_rest(main.build())
    assert {key for key, _ in after.values()} == {summary["active_key"]} != {summary["previous_key"]}
    assert {k: plain for k, (_, plain) in after.items()} == {k: plain for k, (_, plain) in before.items()}
    assert sum(summary["resealed"].values()) == len(before)
    assert set(summary["left_under_old_keys"].values()) == {0}
    keyring = json.loads((riverton.settings.path("key_dir") / "data_keys.json").read_text())
    assert summary["previous_key"] in keyring["keys"]  # kept: short-lived secrets sealed under it still open
    assert main.cli(["data-keys", "status", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out).values()) == {0}


def test_the_rotation_and_the_resealing_are_audit_events_naming_the_operator(riverton, capsys):
    assert main.cli(["data-keys", "rotate", "--json"]) == 0
    active = json.loads(capsys.readouterr().out)["active_key"]
    with riverton.uow(read_only=True) as uow:
        entries = [e.draft for e in uow.audit.iter_entries() if e.draft.references.get("object") == f"datakey_{active}"]
    assert [e.code for e in entries] == ["data_key_rotated", "data_resealed"]
    assert all(e.references["actor"].startswith("cli_") for e in entries)
    assert entries[1].data["detail"]["left_under_old_keys"] == {c.name: 0 for c in ENCRYPTED_COLUMNS}


def test_an_interrupted_rotation_is_finished_by_resume(riverton, capsys):
    cipher = AesGcmFieldCipher.open(riverton.settings.path("key_dir"))
    old = cipher.keys.active_key_id
    new = cipher.keys.rotate()  # what the command does first; then it is killed before re-sealing everything
    accounts = ENCRYPTED_COLUMNS[0]
    reseal(riverton.engine, cipher, accounts, batch=1)  # only the bank accounts got done
    assert main.cli(["data-keys", "status", "--json"]) == 1
    left = json.loads(capsys.readouterr().out)
    assert left[accounts.name] == 0 and left["vendors.tin_ciphertext"] > 0
    assert main.cli(["data-keys", "rotate", "--resume", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["active_key"] == summary["previous_key"] == new != old
    assert summary["resealed"] == {accounts.name: 0, "vendors.tin_ciphertext": left["vendors.tin_ciphertext"]}
    assert {key for key, _ in secrets_at_rest(main.build()).values()} == {new}


def test_a_batch_size_out_of_range_is_refused_and_rotates_nothing(riverton, capsys):
    keyring = (riverton.settings.path("key_dir") / "data_keys.json").read_text()
    assert main.cli(["data-keys", "rotate", "--batch", "0"]) == 2
    assert "invalid_batch" in capsys.readouterr().err
    assert (riverton.settings.path("key_dir") / "data_keys.json").read_text() == keyring
