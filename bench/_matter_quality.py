"""The quality half of bench/matter_links.py: recall of the planted pairs and false
suggestions, computed in memory with intake.likeness's own signatures and thresholds and the
rules of intake.matters.suggestions_for (the same unit, within the window, the nearest few
of each bucket, the same phone first, then the most similar wording above the threshold, at
most five).

In memory, so that 10,000 complaints are judged in seconds: the database path is the same
lookup (tests/intake/test_matters.py checks it end to end), timed at 1,000,000 complaints by
the other half of the bench.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass


@dataclass
class Quality:
    complaints: int
    planted: int
    found: int  # planted pairs whose later complaint suggests the earlier
    found_by_text: int  # of those, found by the wording alone
    false: int  # suggestions of complaints that are not the same matter
    seconds_signing: float

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def recall_by_text(self) -> float:
        return self.found_by_text / self.planted if self.planted else 1.0

    @property
    def false_per_100(self) -> float:
        return 100 * self.false / self.complaints


def _signed(items, likeness):
    import time

    key = secrets.token_bytes(32)
    started = time.perf_counter()
    signatures = [likeness.signature([item.text], key) or [] for item in items]
    buckets = [likeness.bands(sig, key) if sig else [] for sig in signatures]
    return signatures, buckets, time.perf_counter() - started


def _suggested(i, items, signatures, buckets, index, window_days, likeness, limit,
               per_bucket):
    """What complaint `i` is shown, as intake.matters.suggestions_for would: among the
    earlier complaints of its unit within the window (those there when it came in), the
    `per_bucket` nearest in time of each bucket."""
    item = items[i]
    shared: dict[int, int] = defaultdict(int)
    for value in buckets[i]:
        taken = 0
        for j in reversed(index.get((item.unit, value), ())):  # the latest first
            if taken == per_bucket or items[j].day < item.day - window_days:
                break
            if j != i and items[j].day <= item.day:
                shared[j] += 1
                taken += 1
    candidates = sorted(shared, key=lambda j: -shared[j])[:50]
    similar = {j: likeness.similarity(signatures[i], signatures[j]) for j in candidates}
    similar = {j: s for j, s in similar.items() if s >= likeness.MIN_SIMILARITY}
    phone = {j for j in index.get((item.unit, item.phone), ()) if j != i
             and item.day - window_days <= items[j].day <= item.day} if item.phone else set()
    ranked = sorted(phone | set(similar), key=lambda j: (j not in phone, -similar.get(j, 0)))
    return ranked[:limit], similar


def measured_quality(items, likeness, *, window_days: int, per_bucket: int,
                     limit: int = 5) -> Quality:
    signatures, buckets, seconds = _signed(items, likeness)
    order = sorted(range(len(items)), key=lambda i: (items[i].day, i))
    index: dict = defaultdict(list)
    found = by_text = false = 0
    planted = sum(1 for i, item in enumerate(items) if item.matter != i)
    for i in order:  # as they come in
        item = items[i]
        shown, similar = _suggested(i, items, signatures, buckets, index, window_days,
                                    likeness, limit, per_bucket)
        for j in shown:
            if items[j].matter == item.matter:
                found += 1
                by_text += j in similar
            else:
                false += 1
        for value in buckets[i]:
            index[(item.unit, value)].append(i)
        if item.phone:
            index[(item.unit, item.phone)].append(i)
    return Quality(len(items), planted, found, by_text, false, seconds)
