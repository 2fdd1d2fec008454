"""Where the outbox may post a package: checked when an agency is saved (Agency.clean) and
again before each try, since an address may have been edited in the database meanwhile."""

from urllib.parse import urlsplit

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def api_url_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (the stand-in agency, tests)."""
    parts = urlsplit(url or "")
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
