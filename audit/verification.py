"""Verifying the audit trail: every HMAC, the sequence, and every signed checkpoint.

The walk streams the table in sequence order, a chunk at a time, and stops at the first
event that is not where, or what, the chain says it should be. Only then does it look
closer (a few events ahead, a few sequence numbers around) to name the kind of damage.
The first bad sequence number is exact; the kind is the likeliest explanation.

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
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import checkpoints
from audit.chain import CHAIN_COLUMNS, GENESIS, KEY_VERSION, MAC, MESSAGE, PREV, SEQ, MacKeys
from audit.models import AuditEvent, ChainHead, Checkpoint
from vault.keyring import keyring

CHUNK = 2000  # rows per fetch: enough to amortise the round trip, small enough to stream
LOOKAHEAD = 32  # events read past a bad one to tell what happened to it
SEARCH = 64  # sequence numbers tried either side of a bad event to find where it belongs
PARALLEL_MIN_EVENTS = 50_000  # below this, starting processes costs more than it saves
RANGES_PER_JOB = 4  # even shares per process, with progress reported between them
MIN_RANGE_EVENTS = 5_000

Progress = Callable[[int, int], None]


class Damage(TextChoices):
    EDITED = "edited", gettext_lazy("edited")
    DELETED = "deleted", gettext_lazy("deleted")
    INSERTED = "inserted", gettext_lazy("inserted")
    REORDERED = "reordered", gettext_lazy("reordered")
    TRUNCATED = "truncated", gettext_lazy("truncated")
    WRONG_KEY = "wrong_key", gettext_lazy("wrong key")
    FORKED = "forked", gettext_lazy("rewritten with the audit key")
    BAD_CHECKPOINT = "bad_checkpoint", gettext_lazy("bad checkpoint")


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
class _Mark:
    """A checkpoint's claim about one sequence number, with its signature already judged."""

    head_mac: str | None
    problem: str | None
    source: str


@dataclass(frozen=True)
class _Stop:
    """Where a walk ended: at its last event, or at the first event it could not accept."""

    checked: int
    last_seq: int
    last_mac: str
    first_prev: str | None = None
    bad_row: tuple | None = None
    mark_problem: tuple[int, Damage, str] | None = None


# --- gathering the checkpoints -------------------------------------------------------------

def _marks(checkpoint_dir: Path | None) -> dict[int, list[_Mark]]:
    anchors = {}
    for fields in Checkpoint.objects.values(*checkpoints.FIELDS):
        anchor = checkpoints.Anchor(**fields, source=_("checkpoint table"))
        anchors[anchor.key()] = anchor
    marks: dict[int, list[_Mark]] = {}
    # The folder given is read as well as DATA_DIR/checkpoints, not instead of it.
    folders = [None] if checkpoint_dir is None else [None, checkpoint_dir]
    for path in itertools.chain.from_iterable(map(checkpoints.exported_files, folders)):
        try:
            anchor = checkpoints.read_file(path)
        except checkpoints.UnreadableCheckpoint as error:
            number = re.match(r"checkpoint-(\d+)-", path.name)
            seq = int(number.group(1)) if number else 0
            marks.setdefault(seq, []).append(_Mark(None, error.reason, str(path)))
            continue
        anchors.setdefault(anchor.key(), anchor)
    for anchor in anchors.values():
        marks.setdefault(anchor.seq, []).append(
            _Mark(anchor.head_mac, anchor.problem(), anchor.source)
        )
    return marks


def _judge_mark(seq: int, mac: str, marks: list[_Mark]) -> tuple[int, Damage, str] | None:
    for mark in marks:
        if mark.problem is not None:
            return seq, Damage.BAD_CHECKPOINT, _(
                "The checkpoint of event %(seq)s (%(source)s) cannot be trusted: %(problem)s."
            ) % {"seq": seq, "source": mark.source, "problem": mark.problem}
        if mark.head_mac != mac:
            return seq, Damage.FORKED, _(
                "Event %(seq)s is not the one its signed checkpoint (%(source)s) vouches for: "
                "the chain up to it was rebuilt by someone holding the audit key."
            ) % {"seq": seq, "source": mark.source}
    return None


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
            problem = _judge_mark(expected, prev, marks[expected])
            if problem is not None:
                return _Stop(expected - start, expected - 1, prev, first_prev, None, problem)
            next_mark = next(next_marks, None)
        expected += 1
    else:
        return _Stop(expected - start, expected - 1, prev or GENESIS, first_prev)
    return _Stop(expected - start, expected - 1, prev, first_prev, bad_row=row)


# --- naming the damage ---------------------------------------------------------------------

def _authentic(row: tuple, keys: MacKeys, seq: int | None = None) -> bool:
    values = row[:MAC] if seq is None else (row[PREV], seq, *row[SEQ + 1:MAC])
    return keys.mac(values) == row[MAC]


def _true_seq(row: tuple, keys: MacKeys) -> int | None:
    """The sequence number this event was signed with, when it is near where it sits."""
    if not isinstance(row[SEQ], int):
        return None
    for distance in range(1, SEARCH + 1):
        for candidate in (row[SEQ] + distance, row[SEQ] - distance):
            if candidate >= 1 and _authentic(row, keys, candidate):
                return candidate
    return None


def _diagnose(row, following, expected, prev, head_seq, keys) -> tuple[int, Damage, str]:
    seq = row[SEQ]
    values = {"seq": seq, "expected": expected}
    if seq > expected:
        values["last"] = seq - 1
        if seq - 1 == expected:
            return expected, Damage.DELETED, _("Event %(expected)s is missing.") % values
        return expected, Damage.DELETED, _(
            "Events %(expected)s to %(last)s are missing."
        ) % values
    if seq < expected:
        return seq, Damage.INSERTED, _(
            "Event %(seq)s appears where event %(expected)s should be: it was added."
        ) % values
    if keys.keyed(row[KEY_VERSION]) is None:
        values["version"] = row[KEY_VERSION]
        return seq, Damage.WRONG_KEY, _(
            "Event %(seq)s claims audit key version %(version)s, which this keyring does "
            "not hold."
        ) % values
    if _authentic(row, keys):
        return seq, Damage.FORKED, _(
            "Event %(seq)s is genuine but does not follow the event before it: one of them "
            "was replaced by someone holding the audit key."
        ) % values
    skipped = bool(following) and following[0][PREV] == prev
    true_seq = _true_seq(row, keys)
    if true_seq is not None:
        shift = true_seq - seq
        values["true"] = true_seq
        if shift > 0 and not skipped and (
            not following or _authentic(following[0], keys, following[0][SEQ] + shift)
        ):
            return expected, Damage.DELETED, _(
                "Events were removed before event %(seq)s and the later ones renumbered to "
                "hide the gap (this event was signed as number %(true)s)."
            ) % values
        if skipped and row[PREV] != following[0][MAC]:
            return seq, Damage.INSERTED, _(
                "Event %(seq)s is a copy of event %(true)s added to the chain."
            ) % values
        return seq, Damage.REORDERED, _(
            "Event %(seq)s was signed as number %(true)s: events were moved."
        ) % values
    if skipped or (head_seq is not None and seq > head_seq):
        return seq, Damage.INSERTED, _(
            "Event %(seq)s is not part of the chain: the events around it link past it, "
            "or it lies beyond the recorded head. It was added."
        ) % values
    if following and following[0][PREV] == row[MAC] and not any(
        _authentic(later, keys) for later in following
    ):
        return seq, Damage.WRONG_KEY, _(
            "From event %(seq)s on, the chain hangs together but no HMAC matches this "
            "keyring's audit key: it was recomputed with another key."
        ) % values
    return seq, Damage.EDITED, _(
        "Event %(seq)s does not match its HMAC: it was changed after it was written."
    ) % values


# --- the two ways through ------------------------------------------------------------------

def _head_seq() -> int | None:
    return ChainHead.objects.filter(pk=ChainHead.ONLY).values_list("seq", flat=True).first()


def _missing(last: int, claimed: int) -> str:
    values = {"first": last + 1, "claimed": claimed}
    if claimed == last + 1:
        return _("Event %(first)s is missing") % values
    return _("Events %(first)s to %(claimed)s are missing") % values


def _beyond_the_end(last: int, marks) -> tuple[int, Damage, str] | None:
    """What the checkpoints numbered past the chain's last event say. A trusted one proves
    the newest events were cut off; one that cannot be trusted proves nothing but itself."""
    beyond = sorted(seq for seq in marks if seq > last)
    trusted = [seq for seq in beyond if any(mark.problem is None for mark in marks[seq])]
    if trusted:
        claimed = trusted[-1]
        # A file, when there is one: it is what survives someone who controls the database.
        mark = min((mark for mark in marks[claimed] if mark.problem is None),
                   key=lambda mark: mark.source == _("checkpoint table"))
        return last + 1, Damage.TRUNCATED, _(
            "%(missing)s: the signed checkpoint of event %(claimed)s (%(source)s) vouches for "
            "it, but the chain ends at event %(last)s. The newest events were removed."
        ) % {"missing": _missing(last, claimed), "claimed": claimed, "source": mark.source,
             "last": last}
    if beyond:  # none of them trusted: the first is a bad checkpoint
        return _judge_mark(beyond[0], None, marks[beyond[0]])
    return None


def _against_the_head(last: int, last_mac: str, head_seq) -> tuple[int, Damage, str] | None:
    """What the chain head says. `head_seq` was read before the walk, so a head past the
    chain's end means events went missing; the head read again now (record moves it in the
    event's own transaction, so it never lags a committed event) must hold the last event."""
    values = {"last": last, "claimed": head_seq}
    if (head_seq or 0) > last:
        values["missing"] = _missing(last, head_seq)
        return last + 1, Damage.TRUNCATED, _(
            "%(missing)s: the chain head says the chain reaches event %(claimed)s, but it "
            "ends at event %(last)s. The newest events were removed."
        ) % values
    now = ChainHead.objects.filter(pk=ChainHead.ONLY).values_list("seq", "mac").first()
    if now is None:
        return None  # no head at all: the next record() rebuilds it from the newest event
    if now[0] < last:
        values["head"] = now[0]
        return now[0] + 1, Damage.INSERTED, _(
            "The chain head names event %(head)s, but the chain goes on to event %(last)s: "
            "the head was wound back by hand, or the events after it were added."
        ) % values
    if now[0] == last and now[1] != last_mac:
        return last + 1, Damage.TRUNCATED, _(
            "The chain head names event %(last)s but not its HMAC: it was wound back by hand "
            "from a later event, and the events after event %(last)s were removed."
        ) % values
    return None


def _finish(stop: _Stop, marks, head_seq) -> VerificationResult:
    count = sum(len(found) for found in marks.values())
    last = stop.last_seq
    problem = _beyond_the_end(last, marks) or _against_the_head(last, stop.last_mac, head_seq)
    if problem is not None:
        seq, damage, explanation = problem
        return VerificationResult(False, stop.checked, seq, damage, explanation, count, last)
    return VerificationResult(True, stop.checked, checkpoints=count, last_seq=last)


def _sequential(marks, head_seq, progress) -> VerificationResult:
    keys = MacKeys()
    count = sum(len(found) for found in marks.values())
    if 0 in marks and (problem := _judge_mark(0, GENESIS, marks[0])):
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
        seq, damage, explanation = _diagnose(
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
