"""The solver: from everything the open figures publish (the shown cells, and every line
as an equation), try to recover each hidden cell. A reader knows the shown numbers, the
sums, and that no count is negative; a hidden cell is safe when it can still take more
than one whole value.

Two attacks: a linear-algebra one over the reals (a hidden cell is pinned down when it is
a combination of the equations: its row in the null space is zero), run on every hidden
cell; and linear programmes (the least and the greatest value the cell can take within
the equations and the bounds), run on every hidden cell of the small tables and on a
sample of the national set's."""

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from outreach.figures.suppression import (
    ALL,
    SMALL,
    YEAR,
    Table,
    hidden_cells,
    suppressed,
    table_build,
)

CHANNELS = ["phone", "web", "walk_in", "letter"]
KINDS = ["complaint", "suggestion"]
PARTS = [("total", CHANNELS), ("total", KINDS)]


def system(table: Table, hidden: set):
    """The equations over the hidden cells: A x = b, with the shown cells moved right."""
    order = sorted(hidden)
    index = {key: position for position, key in enumerate(order)}
    rows, right = [], []
    for total, members in table.lines:
        coefficients = {total: -1, **{}}
        for member in members:
            coefficients[member] = coefficients.get(member, 0) + 1
        row = np.zeros(len(order))
        constant = 0
        for key, weight in coefficients.items():
            if key in index:
                row[index[key]] += weight
            else:
                constant -= weight * table.values[key]
        if row.any():
            rows.append(row)
            right.append(constant)
    return order, np.array(rows), np.array(right, dtype=float)


def pinned_by_algebra(table: Table, hidden: set) -> list:
    order, matrix, _right = system(table, hidden)
    if not order:
        return []
    if not len(matrix):
        return []
    _u, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:].T  # columns span the null space
    return [key for position, key in enumerate(order)
            if null.shape[1] == 0 or np.abs(null[position]).max() < 1e-9]


def value_range(table: Table, hidden: set, key) -> tuple[float, float]:
    order, matrix, right = system(table, hidden)
    target = np.zeros(len(order))
    target[order.index(key)] = 1
    bounds = [(0, None)] * len(order)
    low = linprog(target, A_eq=matrix, b_eq=right, bounds=bounds, method="highs")
    high = linprog(-target, A_eq=matrix, b_eq=right, bounds=bounds, method="highs")
    assert low.status == 0, low.message
    return low.fun, (-high.fun if high.status == 0 else float("inf"))


def recovered(table: Table, hidden: set, keys) -> list:
    """The hidden cells whose value the LP pins to a single whole number."""
    found = []
    for key in keys:
        low, high = value_range(table, hidden, key)
        if high - low < 1 - 1e-6:
            found.append((key, low, high))
    return found


def check(table: Table, *, sample=None) -> set:
    hidden = suppressed(table)
    assert all(table.values[key] >= SMALL for key in set(table.values) - hidden
               if table.values[key] > 0), "every small count is hidden"
    assert all(table.values[key] > 0 for key in hidden), "a zero is never hidden"
    assert pinned_by_algebra(table, hidden) == []
    keys = sorted(hidden) if sample is None else random.Random(7).sample(
        sorted(hidden), min(sample, len(hidden)))
    assert recovered(table, hidden, keys) == []
    return hidden


def month(phone=0, web=0, walk_in=0, letter=0, complaint=None, suggestion=0, **extra):
    total = phone + web + walk_in + letter
    complaint = total - suggestion if complaint is None else complaint
    return {"phone": phone, "web": web, "walk_in": walk_in, "letter": letter,
            "total": total, "complaint": complaint, "suggestion": suggestion, **extra}


HAND_MADE = {
    "one small cell in a month": {"DG": {"01": month(phone=3, web=20, walk_in=9)},
                                  "DU": {"01": month(phone=12, web=8)}},
    "a small total": {"DG": {"01": month(phone=2, web=1), "02": month(web=30, letter=7)},
                      "DU": {"01": month(phone=6, web=9), "02": month(walk_in=11)}},
    "one small unit hides a sibling": {"DG": {"05": month(web=4, suggestion=4)},
                                       "DU": {"05": month(web=40, suggestion=6)},
                                       "UBEG": {"05": month(phone=15, suggestion=5)}},
    "small cells across months": {
        "DG": {"01": month(phone=1, web=10), "02": month(phone=1, web=10),
               "03": month(phone=6, web=10, letter=2)}},
    "nothing small": {"DG": {"01": month(phone=10, web=20)},
                      "DU": {"01": month(phone=5, web=6)}},
    "only zeros and one": {"DG": {"01": month(letter=1)}, "DU": {"01": month()}},
}


@pytest.mark.parametrize("name", sorted(HAND_MADE))
def test_no_hidden_cell_of_a_hand_made_table_can_be_recovered(name):
    table = table_build(counts=HAND_MADE[name], parts=PARTS)
    hidden = check(table)
    if name == "nothing small":
        assert hidden == set()
    else:
        assert hidden


def test_the_audit_catches_what_the_line_rule_misses():
    """Three totals over an odd cycle of cells: every line has two hidden cells, yet
    a = (S1 - S2 + S3) / 2. The audit hides one more."""
    a, b, c = ("u", "01", "a"), ("u", "01", "b"), ("u", "01", "c")
    s1, s2, s3 = ("u", "01", "s1"), ("u", "01", "s2"), ("u", "01", "s3")
    table = Table(values={a: 1, b: 6, c: 7, s1: 7, s2: 13, s3: 8},
                  lines=[(s1, (a, b)), (s2, (b, c)), (s3, (a, c))])
    assert hidden_cells(table) == {a, b, c}
    assert pinned_by_algebra(table, hidden_cells(table)) == [a, b, c]
    hidden = check(table)
    assert len(hidden) > 3


def test_the_rule_on_a_small_table_by_hand():
    table = table_build(counts=HAND_MADE["one small cell in a month"], parts=PARTS)
    hidden = hidden_cells(table)
    # DG's 3 by phone is hidden, and with it a second cell of its month's channel line.
    assert ("DG", "01", "phone") in hidden
    assert ("DG", "01", "walk_in") in hidden
    assert ("DG", "01", "total") not in hidden and table.values[("DG", "01", "total")] == 32
    assert (ALL, YEAR, "total") not in hidden


def national(units=30, months=24, seed=20):
    """Random counts, many of them small: a year's table is built per year of the 36
    months, as the pages build it."""
    rng = random.Random(seed)
    years = []
    for first in range(0, months, 12):
        counts = {}
        for number in range(units):
            rows = {}
            for index in range(first, min(first + 12, months)):
                size = rng.choice([0, 1, 2, 3, 5, 8, 20, 60])
                channels = {name: rng.choice([0, 0, 1, 2, 4, size]) for name in CHANNELS}
                total = sum(channels.values())
                rows[f"{index % 12 + 1:02d}"] = month(
                    **channels, suggestion=rng.randint(0, total),
                    referred=rng.choice([0, 0, 1, 2, 6]))
            counts[f"U{number:02d}"] = rows
        years.append(counts)
    return years


@pytest.mark.slow
def test_no_hidden_cell_of_a_national_set_can_be_recovered():
    for counts in national():
        table = table_build(counts=counts, parts=PARTS)
        hidden = check(table, sample=25)
        assert len(hidden) > 100
