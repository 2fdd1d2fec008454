"""Which published counts are hidden, so that no small count can be seen or worked out.

The open figures are one table per year for the whole tree of units: a cell is
(unit, row, column) where the unit is a unit's code or ALL (the sum over the units), the
row a month ("01".."12") or YEAR (the sum over the months reported), and the column a count
(received in all, by channel, by kind, by category, referred to the agency). Every sum the
pages publish is a *line*: a total and the cells it adds up —

- in a unit's month, received in all = the sum over the channels = the sum over the kinds;
- in a unit's column, the year = the sum over its months;
- in a month's column, ALL = the sum over the units (and ALL's year = the sum over its
  months, which follows from the others but is written out for the rule below).

The rule, applied to the whole tree at once (so that the parent's totals cannot undo a
child's suppression):

1. primary: every count from 1 to SMALL - 1 is hidden;
2. complementary: every line with exactly one hidden cell gets a second one hidden, the
   smallest non-zero count of that line (ties by key); repeated until no line has exactly
   one hidden cell.

3. audit: the line rule alone can leave a cell that a combination of lines gives away
   (three totals over an odd cycle of cells, say), so while the published equations pin a
   hidden cell to one value, a cell next to it is hidden too and step 2 runs again.

A zero is never hidden, and step 2 always finds a non-zero cell: if the one hidden cell is
a part, its total is at least that part; if it is the total, some part is non-zero. A
hidden cell is shown the same way whether it was small or hidden with a small one, so the
mark itself says nothing about the count. What a reader knows of a hidden cell is what is
published and that a count is not negative; tests/outreach/test_suppression.py tries to
recover every hidden cell from exactly that and finds none.
"""

from dataclasses import dataclass, field

SMALL = 5
ALL = "*"
YEAR = "year"

Key = tuple[str, str, str]


@dataclass
class Table:
    values: dict[Key, int] = field(default_factory=dict)
    # (the total, the cells it adds up)
    lines: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)


def table_build(*, counts: dict[str, dict[str, dict[str, int]]],
                parts: list[tuple[str, list[str]]]) -> Table:
    """`counts`: unit code -> month ("01".."12") -> column -> count, for the months with an
    approved report. `parts`: (a total column, the columns that add up to it in a month),
    e.g. ("total", the channel columns) and ("total", the kinds). Missing columns count 0."""
    columns = sorted({column for months in counts.values() for row in months.values()
                      for column in row} | {c for _t, p in parts for c in p}
                     | {total for total, _p in parts})
    table = Table()
    months = sorted({month for rows in counts.values() for month in rows})
    for code, rows in counts.items():
        for month, row in rows.items():
            for column in columns:
                table.values[(code, month, column)] = row.get(column, 0)
        for column in columns:
            keys = tuple((code, month, column) for month in sorted(rows))
            table.values[(code, YEAR, column)] = sum(table.values[k] for k in keys)
            table.lines.append(((code, YEAR, column), keys))
    for month in [*months, YEAR]:
        present = [code for code in sorted(counts) if (code, month, columns[0]) in table.values]
        for column in columns:
            keys = tuple((code, month, column) for code in present)
            table.values[(ALL, month, column)] = sum(table.values[k] for k in keys)
            table.lines.append(((ALL, month, column), keys))
    for column in columns:  # implied by the lines above, but the rule must see it
        table.lines.append(((ALL, YEAR, column), tuple((ALL, month, column) for month in months)))
    for code in [*sorted(counts), ALL]:
        for month in [*months, YEAR]:
            if (code, month, columns[0]) not in table.values:
                continue
            for total, members in parts:
                table.lines.append(((code, month, total),
                                    tuple((code, month, c) for c in members)))
    return table


def _second(table: Table, line: tuple[Key, ...], hidden: set[Key]) -> Key | None:
    """The cell to hide with the line's only hidden one, or None if the line is safe."""
    inside = [key for key in line if key in hidden]
    if len(inside) != 1:
        return None
    candidates = [key for key in line if key not in hidden and table.values[key] > 0]
    return min(candidates, key=lambda key: (table.values[key], key)) if candidates else None


def hidden_cells(table: Table, start: set[Key] = frozenset()) -> set[Key]:
    """The cells to hide under the rule in the module's docstring (with `start` hidden
    too)."""
    hidden = {key for key, value in table.values.items() if 0 < value < SMALL} | set(start)
    lines = [(total, *members) for total, members in table.lines]
    changed = True
    while changed:
        changed = False
        for line in lines:
            second = _second(table, line, hidden)
            if second is not None:
                hidden.add(second)
                changed = True
    return hidden


# --- the audit: what the rule above can miss ---------------------------------------------

def _components(table: Table, hidden: set[Key]) -> list[list[Key]]:
    """The hidden cells in groups that share no line: each group is solved alone."""
    parent = {key: key for key in hidden}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for total, members in table.lines:
        inside = [key for key in (total, *members) if key in hidden]
        for key in inside[1:]:
            parent[root(key)] = root(inside[0])
    groups: dict[Key, list[Key]] = {}
    for key in sorted(hidden):
        groups.setdefault(root(key), []).append(key)
    return list(groups.values())


def _pinned_in(table: Table, cells: list[Key]) -> list[Key]:
    """The cells of one group that the published equations pin down: a cell is pinned when
    it is a combination of the equations, that is when its row of the null space is zero."""
    import numpy as np

    index = {key: position for position, key in enumerate(cells)}
    rows = []
    for total, members in table.lines:
        if total not in index and not any(member in index for member in members):
            continue
        row = np.zeros(len(cells))
        for key, weight in ((total, -1.0), *((member, 1.0) for member in members)):
            if key in index:
                row[index[key]] += weight
        rows.append(row)
    if not rows:
        return []
    _u, singular, vt = np.linalg.svd(np.array(rows))
    null = vt[int((singular > 1e-9).sum()):]
    if not len(null):
        return list(cells)
    return [key for key, position in index.items() if np.abs(null[:, position]).max() < 1e-9]


def pinned_cells(table: Table, hidden: set[Key]) -> list[Key]:
    return [key for cells in _components(table, hidden) for key in _pinned_in(table, cells)]


def suppressed(table: Table) -> set[Key]:
    """The rule, then the audit: while the equations pin a hidden cell down, hide with it
    the smallest non-zero shown cell of one of its lines (or, failing that, of the lines
    next to them), and apply the rule again."""
    hidden = hidden_cells(table)
    while pinned := pinned_cells(table, hidden):
        before = len(hidden)
        for key in pinned:
            _hide_near(table, key, hidden)
        if len(hidden) == before:
            # Nothing shown is left near them (not met in the tests): hide every non-zero
            # count. With only zeros shown, any multiple of the true counts fits every
            # equation, so no hidden count is pinned.
            return {key for key, value in table.values.items() if value > 0}
        hidden = hidden_cells(table, start=hidden)
    return hidden


def _hide_near(table: Table, key: Key, hidden: set[Key]) -> None:
    """Hides the smallest non-zero shown cell of a line through `key`; if every such cell
    is hidden already, of a line through those lines' cells, and so on."""
    near = {key}
    for _step in range(6):
        lines = [(t, *m) for t, m in table.lines if t in near or near.intersection(m)]
        cells = {k for line in lines for k in line}
        shown = [k for k in cells if k not in hidden and table.values[k] > 0]
        if shown:
            hidden.add(min(shown, key=lambda k: (table.values[k], k)))
            return
        near = cells
