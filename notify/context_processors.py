"""What every signed-in staff page needs for live notifications: the bell's unread count
and the newest notification id, from which static/js/live.js asks the websocket to catch
up. Without JavaScript the bell still shows the count as of the page's loading."""

from django.db.models import Count, Max, Q
from django.utils.functional import SimpleLazyObject

from notify.models import Notification
from org.access import second_factor_satisfied


def live_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not second_factor_satisfied(user):
        # Present but empty: a variable missing from a template is logged at DEBUG with the
        # whole context, which on a reporter's page holds what they wrote.
        return {"notify": None}

    def figures():
        found = Notification.objects.filter(recipient=user).aggregate(
            last=Max("pk"), unread=Count("pk", filter=Q(read_at__isnull=True))
        )
        return {"last": found["last"] or 0, "unread": found["unread"]}

    # One query, and only on pages that show the bell.
    return {"notify": SimpleLazyObject(figures)}
