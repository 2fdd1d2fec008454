"""Headers that keep reporters private, CSRF protection that works under no-referrer, and
the answer to a form too large to read. (What sign-in lockout counts a client by is in
vault/clients.py: it needs the keyring.)"""

import time

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import RequestDataTooBig
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from servestatic.middleware import ServeStaticMiddleware


class StaticFilesMiddleware:
    """servestatic's middleware, asked only about paths under STATIC_URL.

    servestatic's own runs in async mode only. In the sync middleware chain of
    core.handlers, every request would hop from its thread to the event loop and back to
    get past it; here only a request for a static file does."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        self.static = ServeStaticMiddleware(
            get_response if self.is_async else sync_to_async(get_response))
        self.prefix = self.static.static_prefix
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._serve_async(request)
        if request.path_info.startswith(self.prefix):
            return async_to_sync(self.static)(request)
        return self.get_response(request)

    async def _serve_async(self, request):
        if request.path_info.startswith(self.prefix):
            return await self.static(request)
        return await self.get_response(request)


class PrivacyHeadersMiddleware:
    """Pages may hold what a reporter wrote or a receipt: no cache, no referrer, anywhere.

    Static files are left cacheable; servestatic answers them before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        response.setdefault("Referrer-Policy", "no-referrer")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


RENEWED = "shugel_renewed_at"  # in the session: when its idle window was last renewed


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, renewing a signed-in session's idle window at most once a minute.

    Django renews it by writing the session on every request (SESSION_SAVE_EVERY_REQUEST):
    a database write, and on SQLite the one writer's lock, for every page a member of staff
    opens. Here a session that holds a signed-in person is written again only when
    SESSION_RENEW_SECONDS have passed since its last writing, so it still ends within that
    much of SESSION_COOKIE_AGE after its last request. A session with nobody signed in is
    left as Django leaves it (a visitor's stale cookie does not make a new one)."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(RENEWED, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED] = now  # modified: Django saves it with a new expiry
        return super().process_response(request, response)


class FormTooLargeMiddleware:
    """A translated page that names the limit, instead of "request not understood" and an
    ERROR log line, when a form's text is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django raises RequestDataTooBig where the form is first read, which is CSRF's check of
    the posted token, so the form is read here first, just before that check and for the
    same requests (a POST to a view that is not CSRF-exempt: those read their body their
    own way). Text under the limit reaches the form, whose max_length message keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        try:
            request.POST  # noqa: B018 - reading it is the point
        except RequestDataTooBig:
            # Read no further: what was read of the body is gone, and so is the form.
            request._mark_post_parse_error()
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
            return render(request, "413.html", {"limit": limit}, status=413)
        return None


class CsrfNullOriginMiddleware(CsrfViewMiddleware):
    """Django's CSRF protection, adjusted for `Referrer-Policy: no-referrer`.

    Under that policy browsers send `Origin: null` and no Referer with every form POST, so
    Django's origin and referer checks would refuse every form on the site. For such posts
    the CSRF token (checked as always) is what protects; in production the token cookie is a
    `__Host-` cookie that no subdomain can plant, which is what the referer check guarded
    against.
    """

    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null":
            return True
        return super()._origin_verified(request)
