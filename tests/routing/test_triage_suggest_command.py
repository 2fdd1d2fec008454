"""manage.py triage_suggest: one complaint text per line in, one JSON object per line out."""

import io
import json

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from routing import triage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_lexicon():
    triage.forget_lexicon()
    yield
    triage.forget_lexicon()


def run(text: str, *args) -> list[dict]:
    out = io.StringIO()
    call_command("triage_suggest", *args, stdin=io.StringIO(text), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_object_per_line_in_order():
    results = run(
        "Ажилтан хахууль авсан.\n"
        "\n"
        "Ажилтан дуугаа өндөрсгөж, хүндэтгэлгүй харьцсан.\n"
        "avilga ugvul gerchilgee ugnu gesen\r\n"
    )
    assert len(results) == 4
    assert results[0]["corruption"] is True and results[0]["category"] == "bribery"
    assert "хахуул" in results[0]["matched"]
    assert results[1] == {"corruption": False, "category": "other", "categories": [],
                          "score": 0.0, "matched": [], "against": [], "scores": {},
                          "model_version": None, "probability": None}
    assert results[2]["corruption"] is False and results[2]["category"] == "staff_conduct"
    assert results[3]["corruption"] is True
    for result in results:
        assert {"corruption", "category", "categories", "score", "matched",
                "model_version"} <= set(result)


def test_no_input_gives_no_output():
    assert run("") == []


def test_a_lexicon_file_can_stand_in_for_the_database(tmp_path):
    lexicon = tmp_path / "lexicon.json"
    lexicon.write_text(json.dumps({
        "categories": [{"code": "bribery", "corruption_related": True, "order": 1}],
        "terms": [{"category": "bribery", "kind": "stem", "weight": 2, "terms": ["ууц"]}],
    }), encoding="utf-8")
    assert run("ууц нэхсэн\nхахууль\n", "--lexicon", str(lexicon)) == [
        {"corruption": True, "category": "bribery", "categories": ["bribery"], "score": 2.0,
         "matched": ["ууц"], "against": [], "scores": {"bribery": 2.0},
         "model_version": None, "probability": None},
        {"corruption": False, "category": "other", "categories": [], "score": 0.0,
         "matched": [], "against": [], "scores": {}, "model_version": None,
         "probability": None},
    ]


def test_an_unreadable_lexicon_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the lexicon"):
        run("x\n", "--lexicon", str(tmp_path / "missing.json"))


def test_help_explains_input_and_output():
    command = load_command_class("routing", "triage_suggest")
    text = command.create_parser("manage.py", "triage_suggest").format_help()
    for words in ("one text per line", "JSON", "corruption", "matched", "--lexicon"):
        assert words in text
