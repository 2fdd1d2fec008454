import json

from django.core.management.base import BaseCommand, CommandError

from routing.model_cache import current_model
from routing.triage import current_lexicon
from routing.triage_data import EVAL_FILE, DataError, read_labelled
from routing.triage_eval import evaluate, figures_lines


class Command(BaseCommand):
    help = (
        "Print recall and precision for corruption-related and a table per category on the "
        "fixed evaluation set, for the lexicon alone, the promoted learned model alone and "
        "the two combined as triage suggests. Reports only: nothing learns from this set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--eval", metavar="FILE", default=str(EVAL_FILE),
                            help=f"the fixed evaluation set (default {EVAL_FILE})")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        try:
            rows = read_labelled(options["eval"])
        except (OSError, DataError) as error:
            raise CommandError(f"cannot read the evaluation set: {error}")
        model = current_model()
        found = evaluate(rows, lexicon=current_lexicon(), model=model)
        if options["json"]:
            self.stdout.write(json.dumps({"model_version": model and model.version, **found}))
            return
        self.stdout.write(f"{len(rows)} texts; model "
                          f"{model.version if model else 'none (lexicon alone)'}")
        for line in figures_lines(found):
            self.stdout.write(line)
