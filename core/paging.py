"""Paging a long list at a cost that does not grow with it.

Django's Paginator counts every row the list could hold (COUNT(*) over the whole unit) and
lets a page sit at any OFFSET, so the queue of a unit with a million cases reads a million
rows to say how many there are and to show its last page. A capped paginator counts no
further than `cap` rows (COUNT(*) over a LIMIT), and offers the pages within the first `cap`
rows only: the newest ones, which is what people page through; older rows are found with
the page's filters. A page says so when a list is longer than the cap ("more than 1,000"),
rather than showing a number it did not count.
"""

from functools import cached_property
from math import ceil

from django.core.paginator import Paginator
from django.db import connections

# How many rows a list counts and pages through: 40 pages of 25, 20 pages of 50.
CAP = 1000


def capped_count(queryset, cap: int | None = None) -> int:
    """How many rows `queryset` holds, counted no further than cap + 1 (CAP unless given):
    one query, SELECT COUNT(*) over a subquery with LIMIT cap + 1, in whatever order is
    cheapest."""
    cap = CAP if cap is None else cap
    return queryset.order_by().values("pk")[: cap + 1].count()


class CappedPaginator(Paginator):
    """A Paginator over a queryset that counts at most `cap` + 1 rows and pages through the
    first `cap`. `capped` says whether the list holds more than `cap`; `count` is then
    cap + 1 and is not the list's length."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        shown = min(self.count, self.cap)
        if shown == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, ceil(max(shown - self.orphans, 0) / self.per_page))

    def page(self, number):
        """As Paginator.page, but a page never reaches past the first `cap` rows."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.cap)
        if top + self.orphans >= min(self.count, self.cap):
            top = min(self.count, self.cap)
        return self._get_page(self.object_list[bottom:top], number, self)


def capped_counts(querysets: dict, cap: int | None = None) -> dict[str, int]:
    """capped_count of each of `querysets` (by name), all in one query: a SELECT of one
    capped subquery per name. They must all read the same database."""
    cap = CAP if cap is None else cap
    if not querysets:
        return {}
    parts, params, using = [], [], None
    for number, queryset in enumerate(querysets.values()):
        using = queryset.db
        # Django's own compiled SQL, its values kept apart as parameters.
        sql, more = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{number})")  # noqa: S608
        params.extend(more)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        found = cursor.fetchone()
    return dict(zip(querysets, found, strict=True))
