"""Triage's learned model: trained the same way twice, judged on a fixed set before it is
used, sealed on disk, refused when the officers' decisions would make it worse, and never a
source of complaint text in the database."""

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation
from django_q.models import Schedule

from audit.models import AuditEvent
from audit.services import READ_ACTION
from intake.models import Channel, Kind
from intake.services import Content, staff_channel_log
from routing.learned import LearnedModel, features
from routing.learning import promotion_judge, triage_model_record, triage_model_train
from routing.model_cache import forget_model
from routing.services import suggestion_record
from routing.training import _mixed, model_fit
from routing.triage import suggest, suggest_explained
from routing.triage_data import Labelled, read_labelled, read_training
from routing.triage_model import TriageModel
from tests.routing.helpers import triage
from tests.routing.learning_helpers import (
    CANARY,
    evaluation_file,
    labelled_rows,
    small_lexicon,
    training_folder,
)

Verdict = TriageModel.Verdict


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """The small training folder, its evaluation file and the model fitted on it, once."""
    tmp = tmp_path_factory.mktemp("triage")
    folder = training_folder(tmp, labelled_rows())
    data, figures = model_fit(texts=read_training(folder), lexicon=small_lexicon())
    return {"folder": folder, "eval": evaluation_file(tmp), "data": data, "figures": figures}


@pytest.fixture
def lenient(settings, tmp_path):
    """With a one-term lexicon, any model costs precision; the margin lets a model that
    finds more be promoted, so that what a test sees is recall."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TRIAGE_PRECISION_MARGIN = 0.5


@pytest.fixture(autouse=True)
def _no_model_carries_over():
    forget_model()
    yield
    forget_model()


def promote(trained, **fields) -> TriageModel:
    return triage_model_record(
        data=trained["data"], by=None, texts=10, decisions=0, promoted=True,
        verdict=Verdict.FIRST, figures={"evaluation": {"combined": {"recall": 1.0,
                                                                   "precision": 1.0}},
                                        "baseline_version": None}, **fields)


# --- training ---------------------------------------------------------------------------------

def test_training_twice_from_the_same_texts_gives_the_same_bytes():
    texts = [Labelled(row["text"], row["corruption"], row["category"])
             for row in labelled_rows()[::2]]
    first, _ = model_fit(texts=texts, lexicon=small_lexicon())
    second, _ = model_fit(texts=texts, lexicon=small_lexicon())
    assert first == second
    assert json.loads(first)["format"] == 1


def test_a_feature_needs_three_texts(trained):
    model = json.loads(trained["data"])
    once = "w:" + "kudrjashov"  # a name in no text, or in one at most
    assert once not in model["corruption"]["weights"]
    assert all(name[1] == ":" for name in model["corruption"]["weights"])


def test_the_model_reads_latin_typed_mongolian_like_cyrillic():
    assert features("хахууль") & features("hahuuli")
    assert features("хахууль") & features("xaxuuli")


def test_the_model_finds_corruption_the_one_term_lexicon_misses(trained):
    model = LearnedModel(trained["data"], version=7)
    text = "Ажилтан ажлаа хурдан хийж өгье гээд 50 мянган төгрөг нэхсэн."
    lexicon_only = suggest(text, small_lexicon(), None)
    together = suggest(text, small_lexicon(), model)
    assert not lexicon_only.corruption and lexicon_only.model_version is None
    assert together.corruption and together.model_version == 7
    assert together.category in {"bribery", "abuse_of_office", "conflict_of_interest"}


def test_the_category_models_reading_adds_to_the_corruption_score_as_trained(trained):
    plain = json.loads(trained["data"])
    assert plain["corruption"]["category_mix"] > 0
    mixed_codes = plain["corruption"]["mixed_classes"]
    assert set(mixed_codes) == {"bribery", "conflict_of_interest", "abuse_of_office"}
    mixed = LearnedModel(trained["data"])
    # The same file as a model trained before the mix existed would read it.
    for key in ("category_mix", "mixed_classes"):
        del plain["corruption"][key]
    unmixed = LearnedModel(json.dumps(plain).encode())
    leaning = "Дарга өөрийн хамаатныг шалгалтгүйгээр ажилд авч, мөнгө нэхсэн."
    away = "Цонхны ажилтан эелдэг, дараалал хурдан байлаа, баярлалаа."
    for text, sign in ((leaning, 1), (away, -1)):
        with_mix, without = mixed.opinion(text), unmixed.opinion(text)
        corrupt_share = sum(with_mix.categories[code] for code in mixed_codes)
        assert (corrupt_share - 0.5) * sign > 0
        assert (with_mix.probability - without.probability) * sign > 0, text
        assert with_mix.categories == without.categories


def test_with_no_category_mostly_corruption_related_neither_side_adds_a_mix(trained):
    """Training and the suggestion path agree when no category is mostly corruption-related:
    a constant added on one side only would move every probability off its threshold."""
    scores = np.array([-2.0, 0.5, 3.0])
    probabilities = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]])
    assert (_mixed(scores, ["other", "praise"], probabilities, []) == scores).all()
    plain = json.loads(trained["data"])
    plain["corruption"]["mixed_classes"] = []
    unmixed = json.loads(trained["data"])
    for key in ("category_mix", "mixed_classes"):
        del unmixed["corruption"][key]
    with_none = LearnedModel(json.dumps(plain).encode())
    without = LearnedModel(json.dumps(unmixed).encode())
    text = "Бичиг хэргийн ажилтан мөнгө нэхсэн, өгөхгүй бол материал авахгүй гэсэн."
    assert with_none.opinion(text).probability == without.opinion(text).probability


def test_the_explanation_is_fragments_of_the_text_and_is_never_kept(trained):
    model = LearnedModel(trained["data"], version=3)
    text = "Дарга өөрийн хамаатныг шалгалтгүйгээр ажилд авсан."
    suggestion, _words, fragments = suggest_explained(text, small_lexicon(), model)
    assert fragments and len(fragments) <= 5
    kept = json.dumps(suggestion_record(suggestion), ensure_ascii=False)
    assert json.loads(kept)["model_version"] == 3
    for fragment in fragments:
        assert fragment not in kept
    assert set(json.loads(kept)) == {"corruption", "category", "categories", "score",
                                     "matched", "against", "scores", "model_version"}


def test_promotion_keeps_recall_and_allows_a_small_fall_in_precision(settings):
    settings.TRIAGE_PRECISION_MARGIN = 0.02
    settings.TRIAGE_FIRST_PRECISION_FLOOR = 0.70
    base = {"recall": 0.95, "precision": 0.90}
    assert promotion_judge(candidate={"recall": 0.95, "precision": 0.885}, baseline=base,
                           first=False) == (True, Verdict.KEPT_UP)
    assert promotion_judge(candidate={"recall": 0.94, "precision": 0.99}, baseline=base,
                           first=False) == (False, Verdict.RECALL_FELL)
    assert promotion_judge(candidate={"recall": 1.0, "precision": 0.87}, baseline=base,
                           first=False) == (False, Verdict.PRECISION_FELL)
    # The first model, against the word list: more recall for less precision, to the floor.
    words = {"recall": 0.59, "precision": 0.85}
    assert promotion_judge(candidate={"recall": 0.99, "precision": 0.77}, baseline=words,
                           first=True) == (True, Verdict.FIRST)
    assert promotion_judge(candidate={"recall": 0.99, "precision": 0.69}, baseline=words,
                           first=True) == (False, Verdict.PRECISION_FELL)
    assert promotion_judge(candidate={"recall": 0.58, "precision": 0.99}, baseline=words,
                           first=True) == (False, Verdict.RECALL_FELL)


# --- training in the installation ------------------------------------------------------------

def raw_file(row: TriageModel, settings) -> bytes:
    return (Path(settings.MEDIA_ROOT) / "vault" / row.file_name[:2] / row.file_name).read_bytes()


@pytest.mark.django_db
def test_the_first_model_is_promoted_sealed_recorded_and_kept_out_of_the_table(
        trained, settings, lenient):
    row = triage_model_train(lexicon=small_lexicon(), eval_path=trained["eval"],
                             folder=trained["folder"])
    assert row.promoted and row.verdict == Verdict.FIRST and row.version == 1
    assert row.texts == len(read_training(trained["folder"])) and row.decisions == 0
    evaluation = row.figures["evaluation"]
    assert {"lexicon", "model", "combined"} <= set(evaluation)
    assert evaluation["combined"]["recall"] >= evaluation["lexicon"]["recall"]
    assert set(evaluation["combined"]["categories"]) <= {
        "bribery", "conflict_of_interest", "abuse_of_office", "red_tape", "service_quality",
        "staff_conduct", "suggestion", "praise", "other"}
    # The file on disk is sealed: neither the canary nor any feature can be read in it.
    sealed = raw_file(row, settings)
    plain = json.loads(trained["data"])
    assert CANARY.encode() not in sealed and b"weights" not in sealed
    assert not any(name.encode() in sealed for name in list(plain["corruption"]["weights"])[:50])
    assert hashlib.sha256(trained["data"]).hexdigest() == row.sha256  # the same training
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["triage.texts_read", "triage.model_trained",
                            "triage.model_promoted"]
    # The table holds codes, counts and rates: no canary, not one Cyrillic letter.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TriageModel._meta.db_table}")
        dumped = repr(cursor.fetchall())
    assert CANARY not in dumped and dumped.isascii()


def decided(units, personas, text, *, corruption, codes):
    complaint = staff_channel_log(
        unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
        received_at=timezone.now(), content=Content(body=text),
        logged_by=personas["clerk"]).complaint
    return triage(complaint, personas["officer"], codes, corruption=corruption)


@pytest.mark.slow  # two trainings and 39 complaints decided: about 3 s
@pytest.mark.django_db
def test_decisions_that_would_lower_recall_give_a_refused_candidate(
        trained, lenient, units, personas):
    first = triage_model_train(lexicon=small_lexicon(), eval_path=trained["eval"],
                               folder=trained["folder"])
    assert first.promoted
    reads_before = AuditEvent.objects.filter(action=READ_ACTION).count()
    # Officers (wrongly) deciding, again and again, that complaints worded like the
    # evaluation set's bribes and favours are not corruption.
    bribes = [row.text for row in read_labelled(trained["eval"]) if row.corruption]
    for copy in range(3):
        for text in bribes:
            decided(units, personas, f"{text} ({copy + 1})", corruption=False,
                    codes=("service_quality",))
    second = triage_model_train(lexicon=small_lexicon(), eval_path=trained["eval"],
                                folder=trained["folder"])
    assert second.decisions == 3 * len(bribes)
    assert not second.promoted, second.figures["evaluation"]["combined"]
    assert second.verdict == Verdict.RECALL_FELL
    assert second.file_name == "" and second.data_key is None
    assert TriageModel.objects.current() == first
    # The decided texts were read as one event for the run, not one per complaint.
    assert AuditEvent.objects.filter(action=READ_ACTION).count() == reads_before
    read = AuditEvent.objects.filter(action="triage.texts_read").order_by("-seq").first()
    assert read.details_dict["texts"] == 3 * len(bribes)
    assert AuditEvent.objects.filter(action="triage.model_refused").count() == 1


@pytest.mark.django_db
def test_training_without_the_fixed_evaluation_set_is_refused(tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="evaluation"):
        call_command("triage_train", "--eval", str(tmp_path / "none.jsonl"),
                     stdout=io.StringIO())
    assert not TriageModel.objects.exists()


# --- using it ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_suggestions_use_the_promoted_model_and_the_lexicon_without_one(trained, settings,
                                                                        tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    text = "Ажилтан 50 мянган төгрөг нэхсэн."
    assert suggest(text).model_version is None
    row = promote(trained)
    forget_model()
    assert suggest(text).model_version == row.version


@pytest.mark.django_db
def test_triage_suggest_prints_the_model_version(trained, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    row = promote(trained)
    out = io.StringIO()
    call_command("triage_suggest", stdin=io.StringIO("Ажилтан мөнгө нэхсэн\n\n"), stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["model_version"] for line in lines] == [row.version, row.version]
    assert {"corruption", "category", "categories", "score", "matched"} <= set(lines[0])


@pytest.mark.django_db
def test_triage_eval_prints_each_way_and_a_table(trained, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    promote(trained)
    out = io.StringIO()
    call_command("triage_eval", "--eval", str(trained["eval"]), stdout=out)
    text = out.getvalue()
    for way in ("lexicon", "model", "combined"):
        assert f"\n{way}" in "\n" + text
    assert "recall" in text and "bribery" in text


@pytest.mark.django_db
def test_a_model_file_that_does_not_open_leaves_the_lexicon_alone(trained, settings,
                                                                 tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    row = promote(trained)
    path = Path(settings.MEDIA_ROOT) / "vault" / row.file_name[:2] / row.file_name
    damaged = bytearray(path.read_bytes())
    damaged[-5] ^= 1
    path.write_bytes(bytes(damaged))
    assert suggest("Ажилтан мөнгө нэхсэн").model_version is None


@pytest.mark.django_db
def test_retraining_is_scheduled_every_month():
    from routing.schedules import NAME, ensure_schedules

    ensure_schedules()
    schedule = Schedule.objects.get(name=NAME)
    assert schedule.func == "routing.tasks.triage_retrain"
    assert schedule.schedule_type == Schedule.CRON and schedule.cron == "0 2 2 * *"


@pytest.mark.django_db
def test_the_read_page_shows_the_models_fragments_and_the_decision_keeps_none(
        trained, settings, tmp_path, client, units, personas, signed_in):
    import re

    import time_machine
    from django.urls import reverse

    from routing.models import TriageDecision
    from tests.intake.pages_case import CASE, NOW, make_case
    from tests.routing.pages_referral import post_data

    settings.MEDIA_ROOT = tmp_path / "media"
    row = promote(trained)
    with time_machine.travel(NOW, tick=True):
        make_case(units, personas, body="Дарга өөрийн хамаатныг шалгалтгүйгээр ажилд авсан. "
                                        "Ажилтан мөнгө нэхсэн.")
        signed_in(personas["officer"])
        page = client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()
        opinion = re.search(r'<p id="model-opinion">(.*?)</p>', page, re.S).group(1)
        assert str(row.version) in opinion
        fragments = LearnedModel(trained["data"]).opinion(
            "Дарга өөрийн хамаатныг шалгалтгүйгээр ажилд авсан. Ажилтан мөнгө нэхсэн.",
            explain=True).pushed
        assert fragments and all(fragment in opinion for fragment in fragments)
        signed = re.search(r'name="triage-suggestion" value="([^"]+)"', page).group(1)
        response = client.post(reverse("routing:triage", kwargs=CASE), {
            **post_data("routing:triage"), "triage-suggestion": signed})
    assert response.status_code == 302
    kept = TriageDecision.objects.get(current=True).suggestion
    assert kept["model_version"] == row.version
    assert set(kept) == {"corruption", "category", "categories", "score", "matched",
                         "against", "scores", "model_version"}
    # Only the lexicon's own terms may be words; the model's fragments are not kept.
    rest = json.dumps({key: kept[key] for key in kept if key not in ("matched", "against")},
                      ensure_ascii=False)
    assert not any(fragment in rest for fragment in fragments)


@pytest.mark.django_db
def test_a_damaged_decided_complaint_is_left_out_and_recorded(units, personas, settings,
                                                              tmp_path):
    from intake.damage import DAMAGED_ACTION
    from routing.reading import decided_texts_read
    from tests.intake.test_tamper import flip_a_byte

    settings.MEDIA_ROOT = tmp_path / "media"
    kept = decided(units, personas, "Ажилтан хахууль нэхсэн.", corruption=True,
                   codes=("bribery",))
    damaged = decided(units, personas, "Дарга хамаатнаа ажилд авсан.", corruption=True,
                      codes=("conflict_of_interest", "red_tape"))
    flip_a_byte(damaged.complaint, "body")
    texts = decided_texts_read(reader=personas["officer"])
    assert texts == [Labelled("Ажилтан хахууль нэхсэн.", True, "bribery", source="decisions")]
    assert kept.complaint.pk != damaged.complaint.pk
    assert AuditEvent.objects.filter(action=DAMAGED_ACTION).count() == 1
    read = AuditEvent.objects.get(action="triage.texts_read")
    assert read.details_dict == {"texts": 1, "damaged": 1, "fields": ["body", "subject"]}


@pytest.mark.django_db
def test_a_restore_check_opens_the_sealed_model_file(trained, settings, tmp_path):
    from ops.restore import check_records

    settings.MEDIA_ROOT = tmp_path / "media"
    row = promote(trained)
    assert check_records().files == 1 and check_records().failed == 0
    path = Path(settings.MEDIA_ROOT) / "vault" / row.file_name[:2] / row.file_name
    path.write_bytes(path.read_bytes()[:-3])
    assert check_records().failed == 1


def test_only_the_training_module_imports_scikit_learn():
    import ast

    import routing

    heavy = {"sklearn", "numpy", "scipy"}
    found = {}
    for path in Path(routing.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        names |= {node.module for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module}
        if {name.split(".")[0] for name in names} & heavy:
            found[path.name] = sorted(names)
        # Whatever imports the training does so inside a function, when it trains.
        top = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
        assert "routing.training" not in top or path.name == "training.py", path
    assert list(found) == ["training.py"]


@pytest.mark.django_db
def test_the_demo_trains_and_promotes_its_first_model_once(trained, settings, tmp_path,
                                                           monkeypatch):
    from routing import learning
    from routing.demo import seed_triage_model

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(learning, "EVAL_FILE", trained["eval"])
    monkeypatch.setattr(learning, "TRIAGE_DATA", trained["folder"])
    out = io.StringIO()
    seed_triage_model({}, {}, out)
    seed_triage_model({}, {}, out)
    row = TriageModel.objects.get()
    assert row.promoted and row.figures["margin"] == settings.TRIAGE_PRECISION_MARGIN
    assert "Triage model 1 trained and promoted" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_goes_on_without_a_model_when_there_is_no_evaluation_set(tmp_path,
                                                                          monkeypatch):
    from routing import learning
    from routing.demo import seed_triage_model

    monkeypatch.setattr(learning, "EVAL_FILE", tmp_path / "missing.jsonl")
    out = io.StringIO()
    seed_triage_model({}, {}, out)
    assert "No triage model trained" in out.getvalue() and not TriageModel.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("content", ['{"text": "no label"}\n',
                                     '{"text": "Баярлалаа", "corruption": false, '
                                     '"category": "praise"}\n'])
def test_a_broken_or_useless_evaluation_set_is_a_clear_error(tmp_path, content):
    broken = tmp_path / "eval.jsonl"
    broken.write_text(content, encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="eval"):
        call_command("triage_train", "--eval", str(broken), stdout=io.StringIO())
    assert not TriageModel.objects.exists()
