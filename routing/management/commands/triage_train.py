import json

from django.core.management.base import BaseCommand, CommandError

from routing.learning import LearningError, triage_model_train
from routing.triage_data import EVAL_FILE
from routing.triage_eval import figures_lines


class Command(BaseCommand):
    help = (
        "Train a triage model from the labelled texts in routing/data/triage/train*.jsonl and "
        "the officers' current triage decisions (their complaints decrypted in memory only, "
        "recorded as one reading), judge it with the lexicon on the fixed evaluation set, and "
        "promote it only if it finds no fewer corruption complaints than what suggests today "
        "and its precision falls by at most SHUGEL_TRIAGE_PRECISION_POINTS percentage points "
        "(2 unless set). Prints its "
        "figures. The model file is sealed by the vault and never leaves the installation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--eval", metavar="FILE", default=str(EVAL_FILE),
                            help=f"the fixed evaluation set (default {EVAL_FILE})")
        parser.add_argument("--json", action="store_true",
                            help="print the model's figures as JSON instead of a table")

    def handle(self, *args, **options):
        try:
            row = triage_model_train(eval_path=options["eval"])
        except LearningError as error:
            raise CommandError(str(error))
        if options["json"]:
            self.stdout.write(json.dumps({"version": row.version, "promoted": row.promoted,
                                          "verdict": row.verdict, **row.figures}))
            return
        figures = row.figures
        self.stdout.write(f"model {row.version}: {row.texts} labelled texts, "
                          f"{row.decisions} decisions, sha256 {row.sha256}")
        self.stdout.write("cross-validated on the training texts:")
        for line in figures_lines(figures["cross_validated"]):
            self.stdout.write("  " + line)
        self.stdout.write(f"on the fixed evaluation set ({figures['evaluation_texts']} texts):")
        for line in figures_lines(figures["evaluation"]):
            self.stdout.write("  " + line)
        outcome = "promoted" if row.promoted else "refused"
        baseline, version = figures["baseline"], figures["baseline_version"]
        against = f"model {version}" if version else "the lexicon alone"
        self.stdout.write(
            f"compared with {against} (recall {baseline['recall']:.3f}, precision "
            f"{baseline['precision']:.3f}), precision margin {figures['margin']}")
        self.stdout.write(f"{outcome}: {row.get_verdict_display()}")
