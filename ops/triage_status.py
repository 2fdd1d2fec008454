"""The learned triage model on the status page: which model suggests, from how much it
learnt, its figures on the fixed evaluation set, and what became of the newest candidate.
Counts and rates only (routing.TriageModel keeps nothing else)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError

from ops.status import Section, unreadable
from routing.models import Category, TriageModel


@dataclass
class TriageModels(Section):
    version: int | None = None
    trained_at: datetime | None = None
    texts: int = 0
    decisions: int = 0
    recall: float | None = None
    precision: float | None = None
    lexicon_recall: float | None = None
    lexicon_precision: float | None = None
    evaluation_texts: int = 0
    # (category name, texts of it in the evaluation set, how many put there rightly)
    categories: list[tuple[str, int, int]] = field(default_factory=list)
    newest: TriageModel | None = None


def triage_models() -> TriageModels:
    try:
        current = TriageModel.objects.current()
        newest = TriageModel.objects.order_by("-version").first()
        names = {c.code: c.name for c in Category.objects.all()}
    except DatabaseError:
        return unreadable(TriageModels())
    found = TriageModels(newest=newest if newest != current else None)
    if current is None:
        return found
    evaluation = current.figures.get("evaluation", {})
    combined, lexicon = evaluation.get("combined", {}), evaluation.get("lexicon", {})
    found.version, found.trained_at = current.version, current.trained_at
    found.texts, found.decisions = current.texts, current.decisions
    found.recall, found.precision = combined.get("recall"), combined.get("precision")
    found.lexicon_recall = lexicon.get("recall")
    found.lexicon_precision = lexicon.get("precision")
    found.evaluation_texts = current.figures.get("evaluation_texts", 0)
    found.categories = [(names.get(code, code), entry["texts"], entry["right"])
                        for code, entry in sorted(combined.get("categories", {}).items())
                        if entry["texts"]]
    return found
