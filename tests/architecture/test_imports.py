"""The rooms stay where docs/architecture.md draws them (tests/architecture/imports.py)."""

from tests.architecture import imports
from tests.architecture.imports import Arrow


def test_the_code_keeps_the_app_order_and_has_no_cycle_no_private_reach_in():
    assert imports.problems() == []


def test_every_app_is_in_the_written_order_once():
    order = imports.app_order()
    assert len(order) == len(set(order))
    assert set(imports.apps()) <= set(order)
    assert order[0] == "core" and order[-1] == "config"


def test_the_checker_finds_a_cycle_through_an_import_inside_a_function():
    arrows = [Arrow("a.models", "a.delivery", (), 1), Arrow("a.delivery", "a.tasks", (), 2),
              Arrow("a.tasks", "a.models", (), 3), Arrow("a.views", "a.models", (), 4)]
    assert imports.cycles(arrows) == [["a.delivery", "a.models", "a.tasks"]]
    assert imports.cycles(arrows[1:]) == []


def test_the_checker_reads_imports_inside_functions(tmp_path, monkeypatch):
    app = tmp_path / "shop"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("def clean():\n    from shop.delivery import check\n")
    (app / "delivery.py").write_text("from shop.models import clean\n")
    monkeypatch.setattr(imports, "ROOT", tmp_path)
    assert imports.cycles(imports.arrows()) == [["shop.delivery", "shop.models"]]


def test_the_checker_refuses_private_names_views_and_upward_arrows(tmp_path, monkeypatch):
    for app in ("low", "high"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "high" / "views_case.py").write_text("def _case():\n    pass\n")
    (tmp_path / "high" / "services.py").write_text("")
    (tmp_path / "low" / "uses.py").write_text(
        "from high.views_case import _case\nfrom high import services\n")
    monkeypatch.setattr(imports, "ROOT", tmp_path)
    found = imports.problems(order=["low", "high"])
    assert "low.uses:1 takes private _case from high.views_case" in found
    assert "low.uses:1 imports the views module high.views_case" in found
    assert any(line.startswith("low.uses:2 imports high.services: low is below high")
               for line in found)
    assert imports.problems(order=["high", "low"]) == [
        "low.uses:1 takes private _case from high.views_case",
        "low.uses:1 imports the views module high.views_case",
    ]
