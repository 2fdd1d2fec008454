"""Naming the damage the walk through the audit trail stopped at (audit.verification).

The walk knows only where the chain first stops holding together; these look closer (a
few events ahead, a few sequence numbers around, the signed checkpoints and the chain head)
and give the likeliest explanation, in words an auditor can act on.
"""

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.chain import KEY_VERSION, MAC, PREV, SEQ, MacKeys
from audit.models import ChainHead

SEARCH = 64  # sequence numbers tried either side of a bad event to find where it belongs


class Damage(TextChoices):
    EDITED = "edited", gettext_lazy("edited")
    DELETED = "deleted", gettext_lazy("deleted")
    INSERTED = "inserted", gettext_lazy("inserted")
    REORDERED = "reordered", gettext_lazy("reordered")
    TRUNCATED = "truncated", gettext_lazy("truncated")
    WRONG_KEY = "wrong_key", gettext_lazy("wrong key")
    FORKED = "forked", gettext_lazy("rewritten with the audit key")
    BAD_CHECKPOINT = "bad_checkpoint", gettext_lazy("bad checkpoint")


# (first bad sequence number, kind of damage, explanation)
Problem = tuple[int, Damage, str]


@dataclass(frozen=True)
class Mark:
    """A checkpoint's claim about one sequence number, with its signature already judged."""

    head_mac: str | None
    problem: str | None
    source: str


# --- the checkpoints ------------------------------------------------------------------------

def judge_mark(seq: int, mac: str | None, marks: list[Mark]) -> Problem | None:
    """The first of `marks` (one sequence number's checkpoints) that cannot be trusted or
    does not vouch for `mac`, as a problem; None when they all hold."""
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


# --- an event that does not fit --------------------------------------------------------------

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


def diagnose(row, following, expected, prev, head_seq, keys) -> Problem:
    """Why `row` cannot follow the event whose HMAC is `prev`, given the rows after it."""
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


# --- the end of the chain ------------------------------------------------------------------

def _missing(last: int, claimed: int) -> str:
    values = {"first": last + 1, "claimed": claimed}
    if claimed == last + 1:
        return _("Event %(first)s is missing") % values
    return _("Events %(first)s to %(claimed)s are missing") % values


def beyond_the_end(last: int, marks) -> Problem | None:
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
        return judge_mark(beyond[0], None, marks[beyond[0]])
    return None


def against_the_head(last: int, last_mac: str, head_seq) -> Problem | None:
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
