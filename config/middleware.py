"""Headers that keep reporters private, and the hook that stops lockout from keeping addresses."""

from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import add_never_cache_headers


def no_client_address(request):
    """django-axes asks for the client's address; Shugel keeps none, so it locks by username."""
    return None


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
