import json
import sys

from django.core.management.base import BaseCommand, CommandError

from routing.model_cache import current_model
from routing.triage import current_lexicon, lexicon_from_file, suggest
from routing.words import LexiconError


class Command(BaseCommand):
    help = (
        "Suggest triage categories for complaint texts: reads one text per line on standard "
        "input and prints one JSON object per line with corruption (true/false), category, "
        "categories, score, matched (the lexicon terms that counted) and against (the "
        "negation terms that lowered the score), model_version (the learned model that had "
        "its say, or null for the lexicon alone) and probability (the model's). An empty "
        "line gives corruption false and category \"other\". The texts are read in memory "
        "only and never stored."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--lexicon", metavar="FILE",
            help="use this lexicon file (like routing/data/lexicon.json) instead of the "
                 "terms in the database",
        )
        parser.add_argument(
            "--lexicon-only", action="store_true",
            help="leave the promoted learned model out, as before any model was trained",
        )

    def handle(self, *args, **options):
        lexicon = None
        if options["lexicon"]:
            try:
                lexicon = lexicon_from_file(options["lexicon"])
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"cannot read the lexicon: {error}")
        try:
            lexicon = lexicon or current_lexicon()
        except LexiconError as error:
            raise CommandError(f"the lexicon in the database is invalid: {error}")
        model = None if options["lexicon_only"] else current_model()
        for line in options.get("stdin") or sys.stdin:
            text = line.rstrip("\r\n")
            self.stdout.write(json.dumps(suggest(text, lexicon, model).as_dict(),
                                         ensure_ascii=False))
            self.stdout.flush()

