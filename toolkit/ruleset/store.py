"""Findings as state in the ledger: what is open, what was resolved, which notices went out.

Two tables on the ledger's ``metadata`` (created with the ledger's own tables):

``rule_findings``   one row per (site, rule, register, record)
    severity, status, due, message, values_json (codec), facts_hash, notice, is_open,
    first_seen, updated_at, resolved_at. The open set is ``is_open``; closed findings
    (deadlines met or missed) keep only identity, status and facts hash, so a met
    deadline of a re-saved record is not reported as new again.
``issued_notices``  the facts hash each notice was last issued for, and when.

A finding's ``state`` compares this evaluation with the stored one: ``new`` (not open
before, or its facts changed), ``ongoing`` (open with the same facts), ``resolved``
(open before, closed or gone now). The facts are ``Finding.fingerprint_facts()``
without the parts that move with the clock alone (minutes overdue, days left, a
deadline's status), so a deadline turning from pending to overdue is still ``ongoing``
and an issued notice is not issued again.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    insert,
    literal_column,
    select,
    text,
    update,
)

from ..bulk import Inserter, json_rows
from ..codec import decode, encode
from ..ledger import KEY_CHUNK, SITE_LEN, KeyText, metadata
from ..model import Finding
from .timing import OPEN_STATUSES

# The deadlines the clock alone can move on (due_records): the due index holds only these.
CLOCK_MOVES = "status = 'pending' OR status = 'due_soon'"

rule_findings = Table(
    "rule_findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("rule", String(80), nullable=False),
    Column("register", String(100), nullable=False),
    Column("record", KeyText, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("due", DateTime),
    Column("message", Text, nullable=False),
    Column("values_json", Text, nullable=False),
    Column("facts_hash", String(64), nullable=False),
    Column("notice", String(60)),
    Column("is_open", Boolean, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("wake_at", DateTime),  # Finding.wake: judge the record again then
    # Record before rule: an evaluation of some records reads and replaces their findings
    # only, found by (site, register, record) through this key.
    UniqueConstraint("site", "register", "record", "rule", name="uq_rule_findings_identity"),
    # Deadlines whose time comes with no file arriving: found by their stored due time.
    # Only deadlines the clock can still move are indexed (due_records names the status
    # as this predicate does, so both databases use the index).
    Index("ix_rule_findings_due", "site", "status", "due",
          sqlite_where=text(CLOCK_MOVES), postgresql_where=text(CLOCK_MOVES)),
    Index("ix_rule_findings_wake", "site", "wake_at",
          sqlite_where=text("wake_at IS NOT NULL"), postgresql_where=text("wake_at IS NOT NULL")),
    # The open findings, of a site or of one register (a report reads the older records
    # still waiting): the predicate as each database's SQL for is_open.is_(True) says it,
    # so both use it.
    Index("ix_rule_findings_open", "site", "register", "record",
          sqlite_where=text("is_open IS 1"), postgresql_where=text("is_open IS TRUE")),
)

issued_notices = Table(
    "issued_notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site", String(SITE_LEN), nullable=False),
    Column("rule", String(80), nullable=False),
    Column("register", String(100), nullable=False),
    Column("record", KeyText, nullable=False),
    Column("notice", String(60)),
    Column("facts_hash", String(64), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    UniqueConstraint("site", "rule", "register", "record", name="uq_issued_notices_identity"),
    Index("ix_issued_notices_record", "site", "register", "record"),
)

# Values that change with the clock alone, never a fact of the case.
VOLATILE = frozenset({"overdue_minutes", "status", "days_overdue", "days_left", "months_owed"})
# Rules whose facts are only some of their values (``Pack.fact_keys`` of the packs
# found): a reminder of the same tier is not news because the amount owed grew.
_FACT_KEYS: tuple[int, dict[str, tuple[str, ...]]] | None = None


def fact_keys() -> dict[str, tuple[str, ...]]:
    global _FACT_KEYS
    from ..packs import loaded

    packs = loaded()
    if _FACT_KEYS is None or _FACT_KEYS[0] != id(packs):
        _FACT_KEYS = (id(packs), {rule: keys for p in packs.values() for rule, keys in p.fact_keys.items()})
    return _FACT_KEYS[1]

Identity = tuple[str, str, str]


def identity(f: Finding) -> Identity:
    return (f.rule, f.register, f.record)


def _strip(value: Any) -> Any:
    if type(value) is dict and VOLATILE.isdisjoint(value):
        for v in value.values():
            if isinstance(v, (dict, list)):
                break
        else:
            return value  # nothing to take out (most findings): the dict itself, not a copy
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


# '{"due":…,"severity":…,"values":' for each (due, severity) seen: the facts text is
# this head, the values' text and "}" (encode writes a dict's members as it writes them
# alone), and a file's findings share a few hundred dues.
_HEADS: dict[tuple[datetime | None, str], str] = {}


_DEADLINE_KEYS = frozenset({"deadline", "start", "done"})
_TEXTS: dict[str, str] = {}  # labels and severities: a handful in all


def _values_text(values: dict[str, Any]) -> str:
    """``encode(values)``, written here for a deadline's own figures ({"deadline": label,
    "start": …, "done": …}, text and naive moments or None): a big file has 200,000."""
    return _deadline_values_text(values) or encode(values)


def _deadline_values_text(values: Any) -> str | None:
    """``encode(values)`` when ``values`` are a deadline's own figures of those types; else None."""
    if type(values) is dict and len(values) == 3 and values.keys() == _DEADLINE_KEYS:
        label = _text(values["deadline"])
        done, start = _moment_text(values["done"]), _moment_text(values["start"])
        if label is not None and done is not None and start is not None:
            return '{"deadline":' + label + ',"done":' + done + ',"start":' + start + "}"
    return None


def _text(value: Any) -> str | None:
    """encode's text for text (as orjson writes it), kept: labels and severities repeat; None
    for anything else, or a lone surrogate (encode's other path decides)."""
    if type(value) is not str:
        return None
    text = _TEXTS.get(value)
    if text is None:
        try:
            text = orjson.dumps(value).decode("utf-8")
        except TypeError:
            return None
        if len(_TEXTS) >= 1024:
            _TEXTS.clear()
        _TEXTS[value] = text
    return text


def _moment_text(value: Any) -> str | None:
    """encode's text for None or a naive datetime (as orjson writes it: isoformat); None
    otherwise. Not kept: a record's moments are its own, so a cache of them only misses."""
    if value is None:
        return "null"
    if type(value) is not datetime or value.tzinfo is not None:
        return None
    return '{"$dt":"' + value.isoformat() + '"}'


def _hash(f: Finding, keys_of: dict[str, tuple[str, ...]]) -> str:
    return _facts(f, keys_of)[0]


def _facts(f: Finding, keys_of: dict[str, tuple[str, ...]]) -> tuple[str, str | None]:
    """The facts hash, and the text of ``f.values`` when the facts hold them whole (most
    findings): a new open finding stores that same text as its values_json, encoded once."""
    # The facts of Finding.fingerprint_facts() (severity, due, values), read off the
    # finding directly: this runs for each of a big file's 200,000 findings.
    keys = keys_of.get(f.rule)
    values = f.values
    # A deadline's own figures (text and moments) hold nothing volatile: their text at once.
    values_text = None if keys else _deadline_values_text(values)
    if values_text is None:
        values = {k: values.get(k) for k in keys} if keys else _strip(values)
    due, severity = f.due, f.severity
    if (due is None or (type(due) is datetime and due.tzinfo is None)) and type(severity) is str:
        head = _HEADS.get((due, severity))
        if head is None:
            if len(_HEADS) >= 10_000:
                _HEADS.clear()
            head = _HEADS[(due, severity)] = encode({"severity": severity, "due": due, "values": {}})[:-3]
        if values_text is None:
            values_text = _values_text(values)
        text = head + values_text + "}"
    else:  # an aware due: equal moments in two zones write differently, so not kept
        values_text = None
        text = encode({"severity": severity, "due": due, "values": values})
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), (values_text if values is f.values else None)


def facts_hash(f: Finding) -> str:
    return _hash(f, fact_keys())


def facts_hashes(findings: list[Finding]) -> list[str]:
    """``facts_hash`` of each finding, in order (the packs' fact keys looked up once)."""
    keys_of = fact_keys()
    return [_hash(f, keys_of) for f in findings]


def _row_finding(row: Any) -> Finding:
    return Finding(
        rule=row.rule, register=row.register, record=row.record, severity=row.severity,
        message=row.message, status=row.status, due=row.due, values=decode(row.values_json),
        notice=row.notice,
    )


def open_findings(conn: Connection, site: str) -> list[Finding]:
    """Every finding of the site open in the ledger (as last stored)."""
    rows = conn.execute(select(rule_findings).where(rule_findings.c.site == site,
                                                    rule_findings.c.is_open.is_(True)))
    return [_row_finding(r) for r in rows]


def _issued(conn: Connection, site: str, scope: Scope | None = None) -> dict[Identity, str]:
    t = issued_notices
    return {(r.rule, r.register, r.record): r.facts_hash
            for r in _scoped(conn, t, [t.c.rule, t.c.register, t.c.record, t.c.facts_hash], site, scope)}


Scope = dict[str, "set[str] | None"]  # register → records evaluated (None: all of them)
CHUNK = 500  # keys per IN (…)
WHOLE_ABOVE = 20 * CHUNK  # more keys than this: the register's rows read once, filtered here


def _scoped(conn: Connection, table: Table, columns: list, site: str, scope: Scope | None) -> list[Any]:
    """Rows of a findings table for the site, limited to the records of ``scope``."""
    base = select(*columns).where(table.c.site == site)
    if scope is None:
        return conn.execute(base).all()
    out: list[Any] = []
    for register, keys in scope.items():
        if keys is None:
            out += conn.execute(base.where(table.c.register == register)).all()
            continue
        if len(keys) > WHOLE_ABOVE:
            # Most of a big register is in scope (a file of 100,000 rows): one read of the
            # register, filtered here, instead of hundreds of IN (…) lookups.
            # The keys as KeyText stores them (NUL as U+FFFD): as they are, almost always.
            stored = {k.replace("\x00", "\ufffd") for k in keys} if "\x00" in "".join(keys) else keys
            out += [r for r in conn.execute(base.where(table.c.register == register)) if r.record in stored]
            continue
        ordered = sorted(keys)
        for i in range(0, len(ordered), CHUNK):
            out += conn.execute(base.where(table.c.register == register,
                                           table.c.record.in_(ordered[i:i + CHUNK]))).all()
    return out


def due_records(conn: Connection, site: str, now: datetime, soon_minutes: int) -> dict[str, set[str]]:
    """Records with a stored deadline whose status the clock alone has changed by ``now``
    (pending ones now due soon or overdue, due-soon ones now overdue), and those whose
    rule asked to be woken by then (``Finding.wake``)."""
    t = rule_findings
    soon = now + timedelta(minutes=soon_minutes)
    out: dict[str, set[str]] = {}
    for status, until in (("pending", soon), ("due_soon", now)):
        # The status written into the statement, not bound: the due index holds only
        # these two, and a database uses it only where it can see the status is one.
        for r in conn.execute(select(t.c.register, t.c.record).where(
                t.c.site == site, t.c.status == literal_column(f"'{status}'"), t.c.due <= until)):
            out.setdefault(r.register, set()).add(r.record)
    for r in conn.execute(select(t.c.register, t.c.record).where(t.c.site == site, t.c.wake_at <= now)):
        out.setdefault(r.register, set()).add(r.record)
    return out


def settled(f: Finding) -> bool:
    """A deadline met in time, with no document to issue and no time to be woken at:
    nobody's task. It is not stored, and a file's findings do not list it; the reports
    judge the records again and count it. One that was open until now is shown once,
    as resolved (``assign_states``' ``met``)."""
    return f.status == "met" and f.notice is None and f.wake is None


def split_settled(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(the findings to store and report, those :func:`settled`)."""
    kept: list[Finding] = []
    met: list[Finding] = []
    for f in findings:
        (met if settled(f) else kept).append(f)
    return kept, met


def assign_states(conn: Connection, site: str, findings: list[Finding],
                  hashes: list[str | None] | None = None, scope: Scope | None = None,
                  now: datetime | None = None, met: Sequence[Finding] = ()) -> tuple[list[Finding], dict]:
    """Set each finding's state against the stored one; return the resolved ones too.

    ``hashes``: the facts_hash of each finding, in order, None where not yet known; the
    ones this comparison needs (findings stored before, or with a notice issued) are
    filled in, so the pipeline's second comparison (preview, then inside the
    transaction) reuses them. A new finding's hash is made when it is written, with its
    values' text (see :func:`_facts`). ``scope``: the
    records these findings are the whole truth about (default: every record) — stored
    findings of other records are neither read nor closed. ``met``: the findings of the
    same records left out as :func:`settled`; a stored open one among them is resolved
    with its own words (met, and when). Returns (findings resolved since the stored
    evaluation, and the plan :func:`write` carries out).
    """
    t = rule_findings
    stored = {
        (r[1], r[2], r[3]): r
        for r in _scoped(conn, t, [t.c.id, t.c.rule, t.c.register, t.c.record, t.c.is_open, t.c.facts_hash,
                                   t.c.status, t.c.severity, t.c.due, t.c.wake_at], site, scope)
    }
    issued = _issued(conn, site, scope)
    # New findings as their indexes (8 bytes each, not a tuple each: the plan of a big
    # file is alive while its records are written, when memory peaks).
    plan: dict[str, Any] = {"insert": array("q"), "update": [], "close": [], "findings": findings}
    # The records seen, by (rule, register): a set of the records' own strings holds a big
    # file's 200,000 identities in a third of the memory a set of identity tuples takes.
    seen: dict[tuple[str, str], set[str]] = {}
    if hashes is None:
        hashes = [None] * len(findings)
    elif len(hashes) != len(findings):
        raise ValueError("one hash (or None) per finding")
    plan["hashes"] = hashes
    inserts, updates, get_stored, get_issued = plan["insert"], plan["update"], stored.get, issued.get
    keys_of = fact_keys()
    compared: list[Finding] = findings
    if not stored and not issued:
        # Nothing stored for these records (a register's first load): every finding is
        # new, the first of each identity to be inserted; what the loop below does then.
        compared = []
        for i, f in enumerate(findings):
            pair = (f.rule, f.register)
            records = seen.get(pair)
            if records is None:
                records = seen[pair] = set()
            elif f.record in records:
                continue
            records.add(f.record)
            f.state = "new"
            inserts.append(i)
    for i, f in enumerate(compared):
        ident = (f.rule, f.register, f.record)  # identity(f), inline: once per finding of a big file
        records = seen.get(ident[:2])
        if records is None:
            records = seen[ident[:2]] = set()
        elif f.record in records:  # two findings on one identity: store the first only
            continue
        records.add(f.record)
        is_open = f.status in OPEN_STATUSES
        row = get_stored(ident)
        h = hashes[i]
        if row is None:
            f.state = "new"
            inserts.append(i)
        else:
            if h is None:
                h = hashes[i] = _hash(f, keys_of)
            if row.is_open and not is_open:
                f.state = "resolved"
            elif row.is_open != is_open or row.facts_hash != h:
                f.state = "new"  # opened again, or its facts changed
            else:
                f.state = "ongoing"
                wake_at = row.wake_at
                if wake_at is not None and f.notice and now is not None and wake_at <= now:
                    f.woken = True  # the clock moved it: its documents are looked at again
            if (row.is_open, row.facts_hash, row.status, row.severity, row.due, row.wake_at) != \
                    (is_open, h, f.status, f.severity, f.due, _wake(f, now)):
                updates.append((row.id, f, h, is_open))
        # A notice already issued for exactly these facts is never news again.
        if f.notice and f.state == "new":
            issued_hash = get_issued(ident)
            if issued_hash is not None:
                if h is None:
                    h = hashes[i] = _hash(f, keys_of)
                if issued_hash == h:
                    f.state = "ongoing"
    resolved: list[Finding] = []
    def unseen(ident: Identity) -> bool:
        return ident[2] not in seen.get(ident[:2], ())

    gone = [(ident, r.id) for ident, r in stored.items() if r.is_open and unseen(ident)]
    met_now = {identity(f): f for f in met} if met and gone else {}
    rebuilt = []  # gone with no words of their own: rebuilt from their stored rows
    for ident, rid in gone:
        f = met_now.get(ident)
        if f is None:
            rebuilt.append(rid)
        else:
            f.state = "resolved"  # open until now, met now: the rule's own words say so
            resolved.append(f)
    for chunk in range(0, len(rebuilt), 500):
        for row in conn.execute(select(t).where(t.c.id.in_(rebuilt[chunk:chunk + 500]))):
            f = _row_finding(row)
            f.status, f.state = "resolved", "resolved"
            f.message = f"已解除：{row.message}"
            resolved.append(f)
    plan["close"] = [rid for _, rid in gone]
    # Closed and gone: nothing left to wake for.
    plan["unwake"] = [r.id for ident, r in stored.items() if not r.is_open and r.wake_at and unseen(ident)]
    return resolved, plan


def _wake(f: Finding, now: datetime | None) -> datetime | None:
    """The wake time worth storing: one still to come (a past one would wake every run)."""
    wake = getattr(f, "wake", None)
    return wake if wake is not None and (now is None or wake > now) else None


def _row(f: Finding, h: str, is_open: bool, now: datetime | None = None) -> dict[str, Any]:
    # Closed findings are kept only as identity, status and facts: enough to know they
    # are not news; message and values are needed only for what is open.
    return {"severity": f.severity, "status": f.status, "due": f.due,
            "message": f.message if is_open else "", "values_json": _values_text(f.values) if is_open else "{}",
            "facts_hash": h, "notice": f.notice, "is_open": is_open, "wake_at": _wake(f, now)}


# The columns of _new_row's tuple, in its order.
NEW_ROW = ("rule", "register", "record", "severity", "status", "due", "message", "values_json", "facts_hash",
           "notice", "is_open", "wake_at")


def _new_row(f: Finding, h: str | None, is_open: bool, now: datetime,
             keys_of: dict[str, tuple[str, ...]]) -> tuple[Any, ...]:
    # _row with the identity, as one tuple (NEW_ROW): built for each new finding of a
    # big file. The hash when not known yet, with the values' text: one encoding for both.
    values_text = None
    if h is None:
        h, values_text = _facts(f, keys_of)
    if not is_open:
        values_text = "{}"
    elif values_text is None:
        values_text = _values_text(f.values)
    wake = f.wake
    return (f.rule, f.register, f.record, f.severity, f.status, f.due, f.message if is_open else "",
            values_text, h, f.notice, is_open, wake if wake is not None and wake > now else None)


def _new_rows(findings: list[Finding], indexes: Sequence[int], hashes: list[str | None], now: datetime,
              keys_of: dict[str, tuple[str, ...]]) -> list[tuple[Any, ...]]:
    """``_new_row`` of each finding at ``indexes``, in order.

    A big file's new findings are almost all deadlines (a naive due, a text severity,
    figures of a text label and naive moments or None): their values' text and facts
    text are put together here, inline, from the texts of those pieces as :func:`_facts`
    and encode write them (a batch's dues, which repeat, written once), without a call
    for each. Any other finding goes through :func:`_new_row`.
    """
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    sha256 = hashlib.sha256
    dues: dict[datetime, str] = {}
    texts = _TEXTS
    for i in indexes:
        f = findings[i]
        values = f.values
        if (type(values) is dict and len(values) == 3 and values.keys() == _DEADLINE_KEYS
                and not keys_of.get(f.rule)):
            label, done, start, due, severity = values["deadline"], values["done"], values["start"], f.due, f.severity
            label_text = (texts.get(label) or _text(label)) if type(label) is str else None
            severity_text = (texts.get(severity) or _text(severity)) if type(severity) is str else None
            if done is None:
                done_text: str | None = "null"
            else:
                done_text = f'{{"$dt":"{done.isoformat()}"}}' if type(done) is datetime and done.tzinfo is None \
                    else None
            if start is None:
                start_text: str | None = "null"
            else:
                start_text = f'{{"$dt":"{start.isoformat()}"}}' if type(start) is datetime and start.tzinfo is None \
                    else None
            if due is None:
                due_text: str | None = "null"
            elif type(due) is datetime and due.tzinfo is None:
                due_text = dues.get(due)
                if due_text is None:
                    due_text = dues[due] = f'{{"$dt":"{due.isoformat()}"}}'
            else:
                due_text = None
            if label_text and severity_text and done_text and start_text and due_text:
                values_text = f'{{"deadline":{label_text},"done":{done_text},"start":{start_text}}}'
                h = hashes[i]
                if h is None:
                    # encode's text of fingerprint_facts(): its keys in order, each value's text as encode writes it
                    h = sha256(f'{{"due":{due_text},"severity":{severity_text},"values":{values_text}}}'
                               .encode()).hexdigest()
                is_open = f.status in OPEN_STATUSES
                wake = f.wake
                append((f.rule, f.register, f.record, severity, f.status, due, f.message if is_open else "",
                        values_text if is_open else "{}", h, f.notice, is_open,
                        wake if wake is not None and wake > now else None))
                continue
        append(_new_row(f, hashes[i], f.status in OPEN_STATUSES, now, keys_of))
    return rows


BATCH = 5000  # rows per executemany: bounded memory on registers of 100,000 rows
INSERT_BATCH = 5000  # new rows per bulk insert: a batch's rows and their driver copy are what it holds


def _batches(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# PostgreSQL: changed findings rewritten by one statement a batch, their values as one
# JSON text, instead of one UPDATE a finding (0.1 ms of the server's each).
_UPDATE_FROM_JSON = text(
    "UPDATE rule_findings SET severity = v.severity, status = v.status, due = v.due, message = v.message, "
    "values_json = v.values_json, facts_hash = v.facts_hash, notice = v.notice, is_open = v.is_open, "
    "wake_at = v.wake_at, updated_at = :updated_at, resolved_at = v.resolved_at "
    "FROM json_to_recordset(CAST(:rows AS json)) AS v(b_id integer, severity text, status text, "
    "due timestamp, message text, values_json text, facts_hash text, notice text, is_open boolean, "
    "wake_at timestamp, resolved_at timestamp) WHERE rule_findings.id = v.b_id"
)
_MOMENTS = ("due", "wake_at", "resolved_at")


def _json_updates(rows: list[dict[str, Any]]) -> str | None:
    """``rows`` as _UPDATE_FROM_JSON reads them; None when a value would not be stored as
    the driver stores it (a moment that is not a naive datetime: a zone's offset would be
    dropped, a date read as midnight; text orjson refuses)."""
    for r in rows:
        for k in _MOMENTS:
            v = r[k]
            if v is not None and (type(v) is not datetime or v.tzinfo is not None):
                return None
    return json_rows(rows, leave=("updated_at",))


def write(conn: Connection, site: str, plan: dict, now: datetime) -> None:
    """Store what :func:`assign_states` planned (inside the file's transaction)."""
    t = rule_findings
    fixed = {"site": site, "first_seen": now, "updated_at": now, "resolved_at": None}
    findings, hashes, keys_of = plan["findings"], plan["hashes"], fact_keys()
    with Inserter(conn, t, NEW_ROW, fixed) as inserter:  # the driver's bulk path: most rows of a big file are new
        for chunk in _batches(plan["insert"], INSERT_BATCH):
            inserter.add(_new_rows(findings, chunk, hashes, now, keys_of))
    stmt = update(t).where(t.c.id == bindparam("b_id")).values(
        severity=bindparam("severity"), status=bindparam("status"), due=bindparam("due"),
        message=bindparam("message"), values_json=bindparam("values_json"),
        facts_hash=bindparam("facts_hash"), notice=bindparam("notice"), is_open=bindparam("is_open"),
        wake_at=bindparam("wake_at"), updated_at=bindparam("updated_at"), resolved_at=bindparam("resolved_at"))
    pg = conn.dialect.name == "postgresql"
    for chunk in _batches(plan["update"]):
        rows = [{"b_id": rid, **_row(f, h, is_open, now), "updated_at": now, "resolved_at": None if is_open else now}
                for rid, f, h, is_open in chunk]
        payload = _json_updates(rows) if pg else None
        if payload is None:  # SQLite (no server to reach for each row), or a value JSON would change
            conn.execute(stmt, rows)
        else:
            conn.execute(_UPDATE_FROM_JSON, {"rows": payload, "updated_at": now})
    # The same change for many rows: one statement for each KEY_CHUNK of them (on
    # PostgreSQL a statement a row was 0.08 ms of the server's each, 1.7 s for the
    # 20,000 callbacks a re-saved register resolved).
    ids = bindparam("ids", expanding=True)
    unwake = update(t).where(t.c.id.in_(ids)).values(wake_at=None)
    for chunk in _batches(plan.get("unwake", []), KEY_CHUNK):
        conn.execute(unwake, {"ids": list(chunk)})
    close = update(t).where(t.c.id.in_(ids)).values(
        is_open=False, status="resolved", wake_at=None, updated_at=now, resolved_at=now)
    for chunk in _batches(plan["close"], KEY_CHUNK):
        conn.execute(close, {"ids": list(chunk)})


def sync(conn: Connection, site: str, findings: list[Finding], now: datetime,
         hashes: list[str | None] | None = None, scope: Scope | None = None,
         met: Sequence[Finding] = ()) -> list[Finding]:
    """Assign states, store the findings and return those resolved by this evaluation
    (only of the records in ``scope`` when given)."""
    resolved, plan = assign_states(conn, site, findings, hashes, scope, now, met)
    write(conn, site, plan, now)
    return resolved


# --- notices: the documents module asks and records here ------------------------------


def is_issued(conn: Connection, site: str, finding: Finding) -> bool:
    """True when this finding's notice was already issued for exactly its current facts."""
    t = issued_notices
    row = conn.execute(select(t.c.facts_hash).where(
        t.c.site == site, t.c.rule == finding.rule, t.c.register == finding.register, t.c.record == finding.record)).first()
    return row is not None and row.facts_hash == facts_hash(finding)


def mark_issued(conn: Connection, site: str, finding: Finding, at: datetime | None = None) -> None:
    """Record that the finding's notice went out for its current facts (call in the same
    transaction that records the document, so a crash cannot issue it twice)."""
    from ..clock import local_now

    t = issued_notices
    h, when = facts_hash(finding), at or local_now()
    cond = (t.c.site == site, t.c.rule == finding.rule, t.c.register == finding.register, t.c.record == finding.record)
    if conn.execute(select(t.c.id).where(*cond)).first() is None:
        conn.execute(insert(t).values(site=site, rule=finding.rule, register=finding.register, record=finding.record,
                                      notice=finding.notice, facts_hash=h, issued_at=when))
    else:
        conn.execute(update(t).where(*cond).values(notice=finding.notice, facts_hash=h, issued_at=when))
