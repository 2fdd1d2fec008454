"""Verifying the audit trail: every HMAC, the sequence, and every signed checkpoint.

The walk streams the table in sequence order, a chunk at a time, and stops at the first
event that is not where, or what, the chain says it should be. Only then does it look
closer (a few events ahead, a few sequence numbers around) to name the kind of damage
(audit.damage). The first bad sequence number is exact; the kind is the likeliest
explanation.

Long chains can be checked by several processes at once, each taking a range of sequence
numbers; the ranges are then stitched together by their boundary hashes. When anything is
off, the single-process walk runs again to name the damage, so both ways report alike.
"""

import itertools
import multiprocessing
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections
from django.utils.translation import gettext as _

from audit import checkpoints
from audit.chain import CHAIN_COLUMNS, GENESIS, KEY_VERSION, MAC, MESSAGE, PREV, SEQ, MacKeys
from audit.damage import (
    Damage,
    Mark,
    Problem,
    against_the_head,
    beyond_the_end,
    diagnose,
    judge_mark,
)
from audit.models import AuditEvent, ChainHead, Checkpoint
from vault.keyring import keyring

CHUNK = 2000  # rows per fetch: enough to amortise the round trip, small enough to stream
LOOKAHEAD = 32  # events read past a bad one to tell what happened to it
PARALLEL_MIN_EVENTS = 50_000  # below this, starting processes costs more than it saves
RANGES_PER_JOB = 4  # even shares per process, with progress reported between them
MIN_RANGE_EVENTS = 5_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    checked: int  # events found intact (before the damage, when there is some)
    first_bad_seq: int | None = None
    damage: Damage | None = None
    explanation: str = ""
    checkpoints: int = 0
    last_seq: int = 0


@dataclass(frozen=True)
class _Stop:
    """Where a walk ended: at its last event, or at the first event it could not accept."""

    checked: int
    last_seq: int
    last_mac: str
    first_prev: str | None = None
    bad_row: tuple | None = None
    mark_problem: Problem | None = None


# --- gathering the checkpoints -------------------------------------------------------------

def _marks(checkpoint_dir: Path | None) -> dict[int, list[Mark]]:
    anchors = {}
    for fields in Checkpoint.objects.values(*checkpoints.FIELDS):
        anchor = checkpoints.Anchor(**fields, source=_("checkpoint table"))
        anchors[anchor.key()] = anchor
    marks: dict[int, list[Mark]] = {}
    # The folder given is read as well as DATA_DIR/checkpoints, not instead of it.
    folders = [None] if checkpoint_dir is None else [None, checkpoint_dir]
    for path in itertools.chain.from_iterable(map(checkpoints.exported_files, folders)):
        try:
            anchor = checkpoints.read_file(path)
        except checkpoints.UnreadableCheckpoint as error:
            number = re.match(r"checkpoint-(\d+)-", path.name)
            seq = int(number.group(1)) if number else 0
            marks.setdefault(seq, []).append(Mark(None, error.reason, str(path)))
            continue
        anchors.setdefault(anchor.key(), anchor)
    for anchor in anchors.values():
        marks.setdefault(anchor.seq, []).append(
            Mark(anchor.head_mac, anchor.problem(), anchor.source)
        )
    return marks


# --- reading and walking -------------------------------------------------------------------

def _select(low: int | None, high: int | None) -> tuple[str, list]:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in (*CHAIN_COLUMNS, "mac"))
    bounds, params = [], []
    if low is not None:
        bounds.append(f"{quote('seq')} >= %s")
        params.append(low)
    if high is not None:
        bounds.append(f"{quote('seq')} <= %s")
        params.append(high)
    where = f" WHERE {' AND '.join(bounds)}" if bounds else ""
    table = quote(AuditEvent._meta.db_table)
    # Only the model's own names are spliced in; the bounds travel as parameters.
    sql = f"SELECT {columns} FROM {table}{where} ORDER BY {quote('seq')}"  # noqa: S608
    return sql, params


def _chunks(low, high, progress: Progress | None, total: int) -> Iterator[list]:
    sql, params = _select(low, high)
    # A server-side cursor on PostgreSQL, so the table is never held in memory at once.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        fetched = 0
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk
            fetched += len(chunk)
            if progress is not None:
                progress(fetched, total)


def _walk(rows: Iterator[tuple], *, start: int, prev: str | None, marks, keys) -> _Stop:
    """Accept events while each has the expected number, links to the one before and
    carries a valid HMAC. `prev=None` takes the first event's stored link on trust (a range
    whose start is checked when the ranges are stitched together)."""
    expected, first_prev = start, prev
    next_marks = iter(sorted(seq for seq in marks if seq >= start))
    next_mark = next(next_marks, None)
    version, fresh = object(), None
    message, fields = MESSAGE, slice(0, MAC)  # locals: this loop runs once per event
    for row in rows:
        if prev is None:
            prev = first_prev = row[PREV]
        if row[SEQ] != expected or row[PREV] != prev:
            break
        if row[KEY_VERSION] != version:
            version, keyed = row[KEY_VERSION], keys.keyed(row[KEY_VERSION])
            if keyed is None:
                break
            fresh = keyed.copy
        digest = fresh()
        digest.update((message % row[fields]).encode())
        if digest.hexdigest() != row[MAC]:
            break
        prev = row[MAC]
        if expected == next_mark:
            problem = judge_mark(expected, prev, marks[expected])
            if problem is not None:
                return _Stop(expected - start, expected - 1, prev, first_prev, None, problem)
            next_mark = next(next_marks, None)
        expected += 1
    else:
        return _Stop(expected - start, expected - 1, prev or GENESIS, first_prev)
    return _Stop(expected - start, expected - 1, prev, first_prev, bad_row=row)


# --- the two ways through ------------------------------------------------------------------

def _head_seq() -> int | None:
    return ChainHead.objects.filter(pk=ChainHead.ONLY).values_list("seq", flat=True).first()


def _finish(stop: _Stop, marks, head_seq) -> VerificationResult:
    count = sum(len(found) for found in marks.values())
    last = stop.last_seq
    problem = beyond_the_end(last, marks) or against_the_head(last, stop.last_mac, head_seq)
    if problem is not None:
        seq, damage, explanation = problem
        return VerificationResult(False, stop.checked, seq, damage, explanation, count, last)
    return VerificationResult(True, stop.checked, checkpoints=count, last_seq=last)


def _sequential(marks, head_seq, progress) -> VerificationResult:
    keys = MacKeys()
    count = sum(len(found) for found in marks.values())
    if 0 in marks and (problem := judge_mark(0, GENESIS, marks[0])):
        return VerificationResult(False, 0, problem[0], problem[1], problem[2], count)
    chunks = _chunks(None, None, progress, head_seq or 0)
    rows = itertools.chain.from_iterable(chunks)
    try:
        stop = _walk(rows, start=1, prev=GENESIS, marks=marks, keys=keys)
        if stop.mark_problem is not None:
            seq, damage, explanation = stop.mark_problem
            return VerificationResult(False, stop.checked, seq, damage, explanation, count,
                                      stop.last_seq)
        if stop.bad_row is None:
            return _finish(stop, marks, head_seq)
        following = list(itertools.islice(rows, LOOKAHEAD))
        seq, damage, explanation = diagnose(
            stop.bad_row, following, stop.last_seq + 1, stop.last_mac, head_seq, keys
        )
        return VerificationResult(False, stop.checked, seq, damage, explanation, count,
                                  stop.last_seq)
    finally:
        chunks.close()


def _check_range(task) -> _Stop:
    """Run in a worker process: walk one range of sequence numbers."""
    low, high, marks = task
    try:
        rows = itertools.chain.from_iterable(_chunks(low, high, None, 0))
        return _walk(rows, start=low or 1, prev=GENESIS if low is None else None, marks=marks,
                     keys=MacKeys())
    finally:
        connection.close()


def _can_fork(jobs: int, head_seq: int | None) -> bool:
    return (
        jobs > 1
        and (head_seq or 0) >= PARALLEL_MIN_EVENTS
        and "fork" in multiprocessing.get_all_start_methods()
        # Other processes would not see an open transaction's rows or an in-memory database.
        and not connection.in_atomic_block
        and not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    )


def _parallel(jobs, marks, head_seq, progress) -> VerificationResult | None:
    """The whole chain's result when every range is intact and they join up; None when
    anything is off, for the sequential walk to explain."""
    size = max(MIN_RANGE_EVENTS, -(-head_seq // (jobs * RANGES_PER_JOB)))
    starts = list(range(1, head_seq + 1, size))
    tasks = [
        (None if i == 0 else low, None if i == len(starts) - 1 else low + size - 1, marks)
        for i, low in enumerate(starts)
    ]
    connections.close_all()  # each process opens its own connection
    done, stops = 0, []
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for stop in pool.imap(_check_range, tasks):
            stops.append(stop)
            done += stop.checked
            if progress is not None:
                progress(done, head_seq)
    # Each range began with the number after the previous one's end; its first link must
    # be the previous one's last HMAC, and every closed range must reach its end.
    prev_mac, checked = GENESIS, 0
    for (_low, high, _marks), stop in zip(tasks, stops, strict=True):
        if stop.bad_row is not None or stop.mark_problem is not None:
            return None
        if stop.checked and stop.first_prev != prev_mac:
            return None
        if high is not None and stop.last_seq != high:
            return None
        prev_mac, checked = stop.last_mac, checked + stop.checked
    result = _finish(_Stop(checked, stops[-1].last_seq, prev_mac), marks, head_seq)
    return result if result.ok else None


def verify_chain(
    *, progress: Progress | None = None, jobs: int = 1, checkpoint_dir: Path | None = None
) -> VerificationResult:
    """Check the whole audit trail: every event's HMAC and place, and every checkpoint (in
    the table and in the exported files) for its signature and that the chain still
    passes through it. `progress(checked, expected_total)` is called as chunks arrive.

    Raises KeyringError when the keyring cannot be read at all: that is not damage.
    """
    keyring.active_version("audit")
    head_seq = _head_seq()
    marks = _marks(checkpoint_dir)
    if _can_fork(jobs, head_seq):
        result = _parallel(jobs, marks, head_seq, progress)
        if result is not None:
            return result
    return _sequential(marks, head_seq, progress)
