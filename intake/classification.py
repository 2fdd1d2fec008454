"""What a case was decided to be about, for the queue, without intake knowing who decides.

Routing triages: it registers a classifier that, given one page of the queue, says each
case's current categories and whether it is corruption-related. Intake shows what it is told
and never imports routing (the arrows of DESIGN.md point from routing to intake).

    from intake.classification import Classification, register_classifier

    def current_triage(complaints) -> dict[int, Classification]:   # by complaint pk
        ...   # a fixed number of queries for the whole page, none per case

    register_classifier(current_triage)

A case the classifier does not name has not been classified yet. Nothing here may decrypt:
the queue shows metadata only.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Classification:
    categories: tuple[str, ...]  # names in the page's language, in the categories' order
    corruption_related: bool


Classifier = Callable[[Sequence], dict[int, Classification]]

_classifiers: list[Classifier] = []


def register_classifier(classifier: Classifier) -> None:
    if classifier not in _classifiers:
        _classifiers.append(classifier)


def classify(complaints: Sequence) -> dict[int, Classification]:
    """Each of `complaints` (a page, already fetched) that a classifier knows, by pk. With
    no complaints no classifier is asked, so an empty page costs no query."""
    found: dict[int, Classification] = {}
    if not complaints:
        return found
    for classifier in _classifiers:
        found.update(classifier(complaints))
    return found
