"""The learned triage model on the administrators' status page: which model suggests, its
figures on the fixed evaluation set, and what became of the newest candidate."""

import pytest
from django.urls import reverse

from routing.learning import triage_model_record
from routing.triage_model import TriageModel
from tests.ops.test_status import section

pytestmark = pytest.mark.django_db

STATUS = "/en" + reverse("ops:status", kwargs={"unit_code": "DG"})
FIGURES = {
    "evaluation_texts": 48, "baseline_version": None,
    "evaluation": {
        "lexicon": {"recall": 0.864, "precision": 0.905, "categories": {}},
        "combined": {"recall": 0.977, "precision": 0.913, "categories": {
            "bribery": {"texts": 12, "suggested": 13, "right": 11},
            "praise": {"texts": 0, "suggested": 1, "right": 0}}},
    },
}


def test_the_page_says_when_the_lexicon_suggests_alone(client, personas, signed_in):
    signed_in(personas["admin"])
    page = client.get(STATUS).content.decode()
    assert page.count('id="status-triage"') == 1
    assert page.index("<title>") < page.index("</title>") < page.index('id="status-triage"')
    assert "lexicon alone" in section(page, "triage")


def test_the_page_shows_the_promoted_model_and_a_refused_candidate(
        client, personas, signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for version_promoted, verdict in ((True, TriageModel.Verdict.FIRST),
                                      (False, TriageModel.Verdict.RECALL_FELL)):
        triage_model_record(data=b'{"format": 1}', by=None, texts=1500, decisions=37,
                            figures=FIGURES, promoted=version_promoted, verdict=verdict)
    signed_in(personas["admin"])
    text = section(client.get(STATUS).content.decode(), "triage")
    assert "version 1" in text and "1500 labelled texts and 37" in text
    assert "0.977" in text and "0.864" in text and "0.913" in text
    assert "Bribery 12 11" in text and "Praise" not in text
    assert "version 2" in text and "finds fewer corruption complaints" in text
