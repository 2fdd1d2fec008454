"""Settings for bench/intake_submit.py only, never for a real deployment: the real settings,
plus the floor endpoint's URL configuration, and the public rate limits raised so that the
benchmark's clients on one machine (a few hundred loopback addresses, each sending back to
back) are not turned away as a flood. The limits are still counted on every request, as in
production; Argon2 is untouched."""

from config.settings import *  # noqa: F403
from intake import ratelimit  # noqa: E402

ROOT_URLCONF = "bench.intake_submit_urls"

UNLIMITED = ratelimit.Limit(count=10**9, seconds=60)
ratelimit.LIMITS.update({scope: (UNLIMITED, UNLIMITED) for scope in ratelimit.LIMITS})
