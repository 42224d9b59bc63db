"""Properties: the reader accepts everything the writer makes, and no input makes the reader raise."""

from __future__ import annotations

import string
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.formats.nacha import RULES, Addenda05, Batch, Entry, NachaFile, check_file, read, routing_check_digit, write

from .golden import DATA_DIR

PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
CREDITS = [22, 32, 42, 52]
DEBITS = [27, 37, 47, 55]
PRENOTES = {220: [23, 33], 225: [28, 38], 200: [23, 28, 33, 38]}


def _text(max_size: int, required: bool = False) -> st.SearchStrategy[str]:
    s = st.text(alphabet=PRINTABLE, max_size=max_size)
    return s.filter(lambda t: t.strip()) if required else s


routings = st.integers(1, 99_999_999).map(lambda n: f"{n:08d}").map(lambda r8: f"{r8}{routing_check_digit(r8)}")
odfis = st.integers(1, 99_999_999).map(lambda n: f"{n:08d}")


@st.composite
def entries(draw, service_class: int, sec: str, odfi: str, sequences: list[int]) -> list[Entry]:
    codes = {220: CREDITS, 225: DEBITS, 200: CREDITS + DEBITS}[service_class]
    out = []
    for seq in sequences:
        prenote = draw(st.booleans()) and draw(st.booleans())
        tc = draw(st.sampled_from(PRENOTES[service_class] if prenote else codes))
        amount = 0 if prenote else draw(st.integers(1, 9_999_999_999))
        max_addenda = 4 if sec == "CTX" else 1
        addenda = draw(st.lists(_text(80).map(Addenda05), max_size=0 if sec == "TEL" else max_addenda))
        out.append(Entry(
            transaction_code=tc,
            rdfi_routing=draw(routings),
            account_number=draw(_text(17, required=True)),
            amount_cents=amount,
            receiver_name=draw(_text(16 if sec == "CTX" else 22)),
            identification=draw(_text(15)),
            discretionary=draw(_text(2)),
            trace_number=f"{odfi}{seq:07d}",
            addenda=addenda,
        ))
    return out


@st.composite
def nacha_files(draw) -> NachaFile:
    batches = []
    for _ in range(draw(st.integers(1, 3))):
        service_class = draw(st.sampled_from([200, 220, 225]))
        sec = draw(st.sampled_from(["CCD", "PPD", "CTX", "WEB", "TEL"]))
        odfi = draw(odfis)
        sequences = sorted(draw(st.sets(st.integers(1, 9_999_999), min_size=1, max_size=5)))
        batches.append(Batch(
            service_class=service_class,
            company_name=draw(_text(16, required=True)),
            company_id=draw(_text(10, required=True)),
            sec_code=sec,
            entry_description=draw(_text(10, required=True)),
            effective_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
            odfi_id=odfi,
            entries=draw(entries(service_class, sec, odfi, sequences)),
            company_discretionary=draw(_text(20)),
            descriptive_date=draw(_text(6)),
            originator_status=draw(st.sampled_from([1, 2])),
        ))
    traces = [e.trace_number for b in batches for e in b.entries]
    if len(set(traces)) != len(traces):  # the builder refuses repeats; keep the example simple
        batches = batches[:1]
    return NachaFile(
        immediate_destination=draw(routings),
        immediate_origin=draw(st.one_of(routings, st.text(alphabet=string.digits, min_size=10, max_size=10).filter(lambda t: t.strip("0")))),
        creation_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        file_id_modifier=draw(st.sampled_from(string.ascii_uppercase + string.digits)),
        immediate_destination_name=draw(_text(23)),
        immediate_origin_name=draw(_text(23)),
        reference_code=draw(_text(8)),
        batches=batches,
    )


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nacha_files())
def test_the_reader_accepts_everything_the_writer_makes(f):
    data = write(f)
    result = read(data, strict=True)
    assert result.ok, [str(p) for p in result.problems]
    assert result.warnings == []
    assert len(result.batches) == len(f.batches)
    for written, read_batch in zip(f.batches, result.batches):
        assert read_batch.sec_code == written.sec_code
        assert read_batch.company_name == written.company_name.upper().strip()
        assert read_batch.effective_date == written.effective_date
        for e, r in zip(written.entries, read_batch.entries, strict=True):
            assert r.transaction_code == e.transaction_code
            assert r.rdfi_routing == e.rdfi_routing
            assert r.account_number == e.account_number.upper().strip()
            assert r.amount_cents == e.amount_cents
            assert r.receiver_name == e.receiver_name.upper().strip()
            assert r.identification == e.identification.upper().strip()
            assert r.trace_number == e.trace_number
            assert [a.payment_related_information.rstrip() for a in r.addenda] == [
                a.payment_related_information.upper().rstrip() for a in e.addenda
            ]
    assert result.debit_cents() + result.credit_cents() == sum(e.amount_cents for b in f.batches for e in b.entries)


GOLDEN_BYTES = [(DATA_DIR / name).read_bytes() for name in ("ccd_plus_rmr.ach", "return.ach", "ctx_820.ach", "noc.ach")]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(GOLDEN_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["replace", "lookalike", "delete", "insert", "dup_line", "drop_line", "truncate", "swap"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "replace" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "lookalike" and data:  # latin-1 superscript digits: isdigit() but not int()-able
            data[pos] = draw(st.sampled_from([0xB2, 0xB3, 0xB9, 0x20, 0x30]))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 200))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=100))
        elif op == "truncate":
            del data[pos:]
        else:
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "dup_line":
                lines.insert(j, lines[i])
            elif op == "drop_line":
                del lines[i]
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def _never_raises(data: bytes) -> None:
    for strict in (False, True):
        result = read(data, strict=strict)
        assert isinstance(result.ok, bool)
        assert all(p.severity == "error" for p in result.problems)
        assert all(p.severity == "warning" for p in result.warnings)
    report = check_file(data)
    report.format_text()
    report.to_json()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_give_problems_not_exceptions(data):
    _never_raises(data)


@settings(max_examples=200, deadline=None)
@given(mutated())
def test_mutations_of_valid_files_give_problems_not_exceptions(data):
    _never_raises(data)


record_like = st.builds(
    lambda head, body: head + body,
    st.sampled_from(list("1567899") + ["705", "799", "798", "702", "710", "6", "9" * 94]),
    st.text(alphabet=string.digits + " A*\\", min_size=0, max_size=100),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(record_like, max_size=30))
def test_structured_garbage_gives_problems_not_exceptions(records):
    _never_raises("\n".join(records).encode())


def test_read_accepts_str_and_rejects_other_types():
    text = (DATA_DIR / "ppd_credit.ach").read_text()
    assert read(text).ok
    assert not read("1" + "é" * 93).ok
    try:
        read(12345)  # type: ignore[arg-type]
    except TypeError:
        pass
    else:
        raise AssertionError("read(12345) should be a TypeError")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nacha_files(), st.data())
def test_returns_and_nocs_built_for_any_payment_read_back_to_it(f, data):
    """Whatever was paid, the bank's return or NOC for it reads back pointing at the original trace."""
    from adapters.formats.nacha import RETURN_REASONS, CorrectedData, noc_batch, noc_entry, return_batch, return_entry

    forward = [(b, e) for b in f.batches if b.sec_code != "CTX" for e in b.entries]
    if not forward:
        return
    bank = "23138010"
    batches = []
    for i, (b, e) in enumerate(forward, 1):
        trace = f"{bank}{i:07d}"
        if data.draw(st.booleans()):
            code = data.draw(st.sampled_from(sorted(RETURN_REASONS)))
            entry = return_entry(e, reason_code=code, trace_number=trace, original_odfi_routing="091000019")
            batches.append(return_batch(b, [entry], odfi_id=bank, effective_date=date(2026, 1, 8)))
        else:
            entry = noc_entry(e, change_code="C01", corrected=CorrectedData(account_number="NEW1"), trace_number=trace,
                              original_odfi_routing="091000019")
            batches.append(noc_batch(b, [entry], odfi_id=bank, effective_date=date(2026, 1, 8)))
    result = read(write(NachaFile(immediate_destination="091000019", immediate_origin="231380104",
                                  creation_date=date(2026, 1, 8), batches=batches)), strict=True)
    assert result.ok, [str(p) for p in result.problems]
    notices = sorted([*result.returns, *result.changes], key=lambda n: n.trace_number)
    assert [n.original_trace for n in notices] == [e.trace_number for _, e in forward]
    assert [n.original_rdfi for n in notices] == [e.rdfi_routing[:8] for _, e in forward]


anything = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**11), st.floats(allow_nan=False), st.text(max_size=30),
                     st.sampled_from(["231380104", "091000010000001", "22", "CCD", "09100001"]))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_builder_raises_only_build_errors_and_what_it_writes_reads_clean(data):
    """Any junk in any field: either a NachaBuildError naming a field, or a file the strict reader accepts."""
    from adapters.formats.nacha import NachaBuildError

    def field(good):
        return data.draw(st.one_of(st.just(good), anything))

    entry = Entry(transaction_code=field(22), rdfi_routing=field("231380104"), account_number=field("12345"),
                  amount_cents=field(100), receiver_name=field("ACME"), trace_number=field("091000010000001"),
                  identification=field(""), discretionary=field(""),
                  addenda=data.draw(st.sampled_from([(), (Addenda05("RMR*IV*1*PI*1.00\\"),), (Addenda05(field("X")),)])))
    batch = Batch(service_class=field(220), company_name=field("CITY"), company_id=field("1376000123"),
                  sec_code=field("CCD"), entry_description=field("VENDOR PAY"), effective_date=field(date(2026, 1, 6)),
                  odfi_id=field("09100001"), entries=[entry], originator_status=field(1))
    f = NachaFile(immediate_destination=field("091000019"), immediate_origin=field("1376000123"),
                  creation_date=field(date(2026, 1, 5)), batches=[batch])
    try:
        out = write(f)
    except NachaBuildError as err:
        assert err.field and err.code in set(RULES) | {
            "field_too_long", "amount_out_of_range", "invalid_type", "duplicate_trace", "unsupported_sec_code"}
        return
    assert read(out, strict=True).ok
