from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from devtools.standin import AgencyStandIn
from outbox.models import Agency


class Command(BaseCommand):
    help = (
        "Run a stand-in of an agency's API on 127.0.0.1, to try referral delivery by hand. "
        "It checks each package's signature with the agency's shared secret, keeps one "
        "delivery per idempotency key, prints only the referral number, the package's "
        "SHA-256 and the key (never what the package says), and after --ack-delay seconds "
        "posts a signed acknowledgement with an invented reference number back to Shugel. "
        "Point the agency's API address at http://127.0.0.1:PORT/ first. The answers go to "
        "SHUGEL_SITE_URL (default http://127.0.0.1:8000); for a site served on another port "
        "(make run PORT=8001) give --site-port 8001 or --shugel URL. Stop it with Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", metavar="CODE",
                            help="the agency to stand in for (default: the default agency)")
        parser.add_argument("--port", type=int, default=8100, help="port (default 8100)")
        parser.add_argument("--ack-delay", type=float, default=2.0, metavar="SECONDS",
                            help="seconds before acknowledging a new referral (default 2)")
        parser.add_argument("--shugel", metavar="URL", default=None,
                            help="Shugel's address for the callback (default SHUGEL_SITE_URL, "
                                 f"now {settings.SITE_URL})")
        parser.add_argument("--site-port", type=int, default=None, metavar="PORT",
                            help="the port Shugel serves on, if not the address's own "
                                 "(make run PORT=…)")
        parser.add_argument("--no-ack", action="store_true", help="never acknowledge")
        parser.add_argument("--fail-fraction", type=float, default=0.0, metavar="F",
                            help="answer this fraction of calls with 500, to see retries")
        parser.add_argument("--refuse", type=int, default=None, metavar="STATUS",
                            help="refuse every package with this 4xx status (a dead letter)")

    def handle(self, *args, **options):
        agencies = Agency.objects.filter(active=True)
        agency = (agencies.filter(code=options["agency"]).first() if options["agency"]
                  else agencies.filter(is_default=True).first())
        if agency is None:
            raise CommandError("no such active agency" if options["agency"]
                               else "there is no default agency; name one with --agency")
        secret = agency.api_secret.reveal() if agency.api_secret is not None else ""
        if not secret:
            raise CommandError(f"agency {agency.code} has no API secret")
        shugel = site_address(options["shugel"] or settings.SITE_URL, options["site_port"])
        callback = shugel + reverse("agency_api:answers", kwargs={"agency_code": agency.code})
        standin = AgencyStandIn(
            secret, port=options["port"], ack_delay=options["ack_delay"],
            callback_url=None if options["no_ack"] else callback,
            mode="refuse" if options["refuse"] else "accept",
            refuse_status=options["refuse"] or 422, fail_fraction=options["fail_fraction"],
            log=self._line,
        )
        self._line(f"standing in for {agency.code} at {standin.url}")
        if not agency.api_url.startswith(standin.url.rsplit("/", 2)[0]):
            self._line(f"note: the agency's API address is {agency.api_url or '(none)'}")
        if not options["no_ack"]:
            self._line(f"acknowledgements go to {callback}")
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            self._line(f"stopped; {standin.accepted_keys} referral(s) received")

    def _line(self, text: str):
        self.stdout.write(text)
        self.stdout.flush()


def site_address(url: str, port: int | None = None) -> str:
    """Shugel's address without a trailing slash, on `port` if one is given."""
    parts = urlsplit(url.rstrip("/"))
    if not parts.scheme or not parts.hostname:
        raise CommandError(f"not a web address: {url!r}")
    if port is not None:
        if not 0 < port < 65536:
            raise CommandError(f"not a port: {port}")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        parts = parts._replace(netloc=f"{host}:{port}")
    return urlunsplit(parts)
