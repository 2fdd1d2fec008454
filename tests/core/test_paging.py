"""A capped list counts no further than its cap and pages only through the rows within it,
in one query for the count however long the list is."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.paging import CappedPaginator, capped_count, capped_counts

pytestmark = pytest.mark.django_db


def _people(count: int):
    User = get_user_model()
    User.objects.bulk_create(User(username=f"p{number:03d}") for number in range(count))
    return User.objects.filter(username__startswith="p").order_by("username")


def test_a_short_list_is_counted_exactly_and_not_capped():
    paginator = CappedPaginator(_people(7), 3, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (7, False, 3)
    assert len(paginator.page(3).object_list) == 1


def test_a_long_list_counts_to_one_past_the_cap_and_pages_only_through_the_cap():
    people = _people(40)
    paginator = CappedPaginator(people, 3, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (11, True, 4)
    last = paginator.get_page(99)
    assert last.number == 4 and not last.has_next()
    assert [p.username for p in last.object_list] == ["p009"]  # the 10th row, not the 11th
    assert [p.username for p in paginator.page(2).object_list] == ["p003", "p004", "p005"]


def test_a_list_exactly_as_long_as_the_cap_is_not_capped():
    paginator = CappedPaginator(_people(10), 5, cap=10)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (10, False, 2)


def test_an_empty_list_has_one_empty_page():
    paginator = CappedPaginator(get_user_model().objects.none(), 5, cap=10)
    assert (paginator.count, paginator.num_pages) == (0, 1)
    assert list(paginator.get_page(1).object_list) == []


@pytest.mark.parametrize("rows", [3, 30])
def test_a_count_is_one_query_with_a_limit_at_any_length(rows):
    people = _people(rows)
    with CaptureQueriesContext(connection) as captured:
        assert capped_count(people, cap=10) == min(rows, 11)
    assert len(captured) == 1 and "LIMIT 11" in captured[0]["sql"]


def test_several_counts_are_one_query():
    people = _people(30)
    with CaptureQueriesContext(connection) as captured:
        found = capped_counts({"all": people, "some": people.filter(username__lt="p005"),
                               "none": people.filter(username="nobody")}, cap=10)
    assert found == {"all": 11, "some": 5, "none": 0}
    assert len(captured) == 1
