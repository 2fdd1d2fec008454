"""Learning from the labelled texts and the officers' decisions: train a candidate model,
judge it on the fixed evaluation set, and promote it only if it does no worse.

    model = triage_model_train(by=user)        # manage.py triage_train, the monthly task

1. The shipped training files (routing.triage_data) and every current triage decision, its
   complaint's text decrypted in memory only (routing.reading.decided_texts_read, one audit
   event for the run).
2. routing.training fits the candidate (scikit-learn, imported only then) and measures it by
   cross-validation on those texts.
3. On the fixed evaluation set, the candidate with the lexicon is compared with what suggests
   today: the promoted model with the lexicon, or the lexicon alone for the first model. It is
   promoted only if its recall does not fall and its precision falls by at most
   settings.TRIAGE_PRECISION_MARGIN (SHUGEL_TRIAGE_PRECISION_POINTS percentage points,
   2 unless set); the first model's precision may fall further, but not below
   settings.TRIAGE_FIRST_PRECISION_FLOOR (SHUGEL_TRIAGE_FIRST_PRECISION_FLOOR, 70 %).
4. `triage_model_record` numbers the model, seals a promoted model's file by the vault and
   records the row and the audit events in one transaction.

Training takes seconds, so it runs between two short transactions rather than inside one:
the database is never held while scikit-learn works.
"""

import hashlib
import io
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record
from routing.learned import LearnedModel
from routing.model_cache import current_model, forget_model
from routing.reading import decided_texts_read
from routing.triage import current_lexicon
from routing.triage_data import (
    EVAL_FILE,
    TRIAGE_DATA,
    DataError,
    read_labelled,
    read_training,
)
from routing.triage_eval import evaluate
from routing.triage_model import TriageModel
from vault.files import atomic_with_files, save_encrypted
from vault.models import DataKey

Verdict = TriageModel.Verdict


class LearningError(ValueError):
    """Training cannot start (no evaluation set, too few texts); the message says why."""


def promotion_judge(*, candidate: dict, baseline: dict, first: bool,
                    margin: float | None = None) -> tuple[bool, str]:
    """Whether a candidate's combined figures on the evaluation set may replace the
    baseline's (the promoted model's, or the lexicon's for the first model), and why.
    `margin` defaults to settings.TRIAGE_PRECISION_MARGIN."""
    margin = max(settings.TRIAGE_PRECISION_MARGIN if margin is None else margin, 0.0)
    if candidate["recall"] < baseline["recall"]:
        return False, Verdict.RECALL_FELL
    floor = baseline["precision"] - margin
    if first:
        # The first model replaces no model but the word list, and a missed corruption
        # complaint costs far more than a false alarm an officer dismisses: it may trade
        # precision for recall, down to the floor the installation sets.
        floor = min(floor, settings.TRIAGE_FIRST_PRECISION_FLOOR)
    if candidate["precision"] < floor:
        return False, Verdict.PRECISION_FELL
    return True, Verdict.FIRST if first else Verdict.KEPT_UP


def triage_model_train(*, by=None, lexicon=None, eval_path: Path | str | None = None,
                       folder: Path | str | None = None,
                       margin: float | None = None) -> TriageModel:
    """Train, judge and record a candidate; returns its row (promoted or not). `by` is the
    person who asked, or None for the scheduled task. `lexicon` defaults to the database's,
    `margin` (the precision a candidate may lose) to the setting; the one used is kept with
    the figures."""
    from routing.training import TrainingError, model_fit

    eval_path, folder = Path(eval_path or EVAL_FILE), folder or TRIAGE_DATA
    if not eval_path.is_file():
        raise LearningError(_("The fixed evaluation set %(path)s is missing: a model is "
                              "judged on it before it may be used.") % {"path": eval_path})
    try:
        evaluation, shipped = read_labelled(eval_path), read_training(folder)
    except DataError as error:
        raise LearningError(str(error)) from None
    if not any(row.corruption for row in evaluation):
        raise LearningError(_("The fixed evaluation set has no corruption-related text to "
                              "judge a model on."))
    lexicon = lexicon or current_lexicon()
    decided = decided_texts_read(reader=by or SYSTEM)
    try:
        data, cross_validated = model_fit(texts=shipped + decided, lexicon=lexicon)
    except TrainingError as error:
        raise LearningError(str(error)) from None
    candidate = evaluate(evaluation, lexicon=lexicon, model=LearnedModel(data))
    current = current_model_fresh()
    baseline = (evaluate(evaluation, lexicon=lexicon, model=current)["combined"]
                if current else candidate["lexicon"])
    margin = settings.TRIAGE_PRECISION_MARGIN if margin is None else margin
    promoted, verdict = promotion_judge(candidate=candidate["combined"], baseline=baseline,
                                        first=current is None, margin=margin)
    figures = {"evaluation": candidate, "baseline": baseline, "margin": margin,
               "baseline_version": current.version if current else None,
               "cross_validated": cross_validated, "evaluation_texts": len(evaluation)}
    row = triage_model_record(data=data, by=by, texts=len(shipped), decisions=len(decided),
                              figures=figures, promoted=promoted, verdict=verdict)
    forget_model()
    return row


def current_model_fresh() -> LearnedModel | None:
    forget_model()
    return current_model()


@transaction.atomic
def triage_model_record(*, data: bytes, by, texts: int, decisions: int, figures: dict,
                        promoted: bool, verdict: str) -> TriageModel:
    """Number the model, seal its file when it is promoted, and record it with its events."""
    # Numbering under a lock on the newest row, so two trainings never take one number (two
    # first ones at once meet the unique version instead, and the second fails whole).
    newest = (TriageModel.objects.select_for_update().order_by("-version")
              .values_list("version", flat=True).first())
    row = TriageModel(version=(newest or 0) + 1, trained_by=by, texts=texts,
                      decisions=decisions, sha256=hashlib.sha256(data).hexdigest(),
                      size=len(data), figures=figures, promoted=promoted, verdict=verdict)
    with atomic_with_files():
        if promoted:
            row.data_key = DataKey.objects.create_fresh()
            row.file_name = save_encrypted(io.BytesIO(data), data_key=row.data_key,
                                           context=row.context).name
        row.save()
        combined = figures["evaluation"]["combined"]
        record(actor=by or SYSTEM, action="triage.model_trained", target=row, details={
            "version": row.version, "texts": texts, "decisions": decisions,
            "recall": combined["recall"], "precision": combined["precision"]})
        record(actor=by or SYSTEM,
               action="triage.model_promoted" if promoted else "triage.model_refused",
               target=row, details={"version": row.version, "verdict": verdict,
                                    "baseline_version": figures["baseline_version"]})
    return row
