"""How strong a triage suggestion's evidence is, on a scale a person reads: strong, possible
or weak. The thresholds are here and nowhere else.

A score is the sum of the weights of the lexicon terms that counted (routing.triage): one
distinctive term ("хахууль", "ашиг сонирхлын зөрчил") weighs 3, a supporting word ("бэлэг",
"төгрөг") 1, so "strong" means at least one distinctive term or several supporting ones,
and "possible" at least one supporting word.

The decision form pre-ticks a category only when its own evidence is strong: terms of that
category made of whole words, after greetings and politeness formulas are taken out
(routing.formulas) and negations have lowered it. A bare ending ("-на уу", "-хгүй") adds to
the ranking but is never a category's own evidence, and a weak or possible category is shown
with its strength for the officer to tick if they agree.
"""

from django.utils.translation import gettext_lazy as _

STRONG = 3.0
POSSIBLE = 1.0

LABELS = {"strong": _("strong"), "possible": _("possible"), "weak": _("weak")}


def strength(score: float) -> str:
    """"strong", "possible" or "weak" for a score."""
    if score >= STRONG:
        return "strong"
    if score >= POSSIBLE:
        return "possible"
    return "weak"


def strength_label(score: float) -> str:
    return str(LABELS[strength(score)])


def preticked(suggestion: dict) -> list[str]:
    """The category codes a decision form ticks before the officer decides: those among the
    suggested categories whose own evidence is strong. A corruption-related category needs
    the text to read as corruption-related as well."""
    own = suggestion.get("scores") or {}
    return [code for code in suggestion.get("categories", ())
            if strength(own.get(code, 0.0)) == "strong"]

