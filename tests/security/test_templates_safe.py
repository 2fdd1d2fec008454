"""Nothing a person typed reaches a page unescaped.

Every template is scanned for what turns Django's escaping off (`|safe`, `|safeseq`,
`{% autoescape off %}`), and every Python file of the project for what marks text as
already escaped (`mark_safe`, `SafeString(`, filters registered `is_safe=True`) or misuses
`format_html` (a template built with an f-string, `%` or `.format`, or no arguments to
escape, which makes it a `mark_safe` in disguise). Each use must be in ALLOWED with the
reason it is safe; the reasons are checked by the tests at the end of this file.
"""

import ast
import functools
import os
import re
from datetime import date
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeData

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_FOLDERS = {".venv", ".git", "node_modules", "staticfiles", "var", "build", "locale"}
THIS_FILE = Path(__file__).resolve()

TEMPLATE_PATTERNS = {
    "|safe": re.compile(r"\|\s*safe(?!seq)\b"),
    "|safeseq": re.compile(r"\|\s*safeseq\b"),
    "autoescape off": re.compile(r"{%\s*autoescape\s+off\s*%}"),
    "filter safe": re.compile(r"{%\s*filter\s+[^%]*\bsafe\b"),
}

# (file, what, where: the enclosing function for Python, the pattern for templates): reason.
ALLOWED = {
    ("reporting/charts.py", "mark_safe", "_join"):
        "joins parts that are each the SafeString of a format_html call, which escaped every "
        "label, title and number in them (test_chart_svg_escapes_every_text_in_it)",
    ("core/rendering.py", "SafeString", "input_html"):
        "an input element whose every value went through _escaped (conditional_escape "
        "without its wrappers), compared with Django's own input.html and attrs.html for "
        "hostile values (tests/core/test_rendering.py)",
    ("core/rendering.py", "SafeString", "select_html"):
        "a select list whose every name, label and attribute went through _escaped, "
        "compared with Django's select.html for hostile choices (tests/core/test_rendering.py)",
    ("core/html.py", "SafeString", "day_html"):
        "a <time> element of a date's ISO form and its formatted day, both through escaped "
        "(tests/core/test_html.py)",
    ("audit/rows.py", "SafeString", "rows_html"):
        "joins event rows in which every value went through escaped "
        "(test_the_raw_record_is_folded_escaped_and_pretty_printed)",
    ("audit/rows.py", "SafeString", "details_html"):
        "a list of details whose every label and value went through escaped "
        "(test_the_raw_record_is_folded_escaped_and_pretty_printed)",
    ("routing/tracker/rows.py", "SafeString", "rows_html"):
        "joins rows in which every value went through escaped and every label was escaped "
        "once (test_the_tracker_escapes_what_the_agency_and_the_staff_wrote)",
    ("templates/routing/cover_letter.txt", "autoescape off", "autoescape off"):
        "a plain-text letter, not HTML; cover_letter_draft returns it as a plain str (not "
        "marked safe), so any page that shows it escapes it "
        "(test_the_cover_letter_is_plain_text_and_escaped_where_shown)",
}


def project_files(suffixes: tuple[str, ...]) -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders
                         if name not in SKIPPED_FOLDERS and not name.startswith(".")]
        found += [Path(folder) / name for name in files if Path(name).suffix in suffixes]
    return sorted(found)


def template_files() -> list[Path]:
    return [path for path in project_files((".html", ".txt", ".xml", ".svg", ".js"))
            if "templates" in path.relative_to(ROOT).parts]


def template_uses() -> set[tuple[str, str, str]]:
    uses = set()
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for what, pattern in TEMPLATE_PATTERNS.items():
            if pattern.search(text):
                uses.add((str(path.relative_to(ROOT)), what, what))
    return uses


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_literal(node) -> bool:
    """A template string written out in the code (implicit concatenation included)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


class _Finder(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[str, str]] = []  # (what, enclosing function)
        self.scope = ["<module>"]

    def visit_FunctionDef(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        name = _name(node.func)
        where = self.scope[-1]
        if name in {"mark_safe", "SafeString", "SafeText"}:
            self.found.append((name, where))
        elif name == "format_html":
            if not node.args or not _is_literal(node.args[0]):
                self.found.append(("format_html with a built template", where))
            elif len(node.args) + len(node.keywords) < 2:
                self.found.append(("format_html with nothing to escape", where))
        elif name in {"filter", "simple_tag"} and any(
            keyword.arg == "is_safe" and getattr(keyword.value, "value", False)
            for keyword in node.keywords
        ):
            self.found.append(("is_safe filter", where))
        self.generic_visit(node)


@functools.cache
def python_uses() -> frozenset[tuple[str, str, str]]:
    uses = set()
    for path in project_files((".py",)):
        if path.resolve() == THIS_FILE:
            continue
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        uses |= {(str(path.relative_to(ROOT)), what, where) for what, where in finder.found}
    return frozenset(uses)


# --- the scan -----------------------------------------------------------------------------------

def test_the_scan_sees_the_projects_templates_and_code():
    names = {str(path.relative_to(ROOT)) for path in template_files()}
    assert "templates/base.html" in names and "templates/ops/status.html" in names
    assert len(project_files((".py",))) > 100


def test_no_template_turns_escaping_off_except_where_allowed():
    unexpected = {use for use in template_uses() if use not in ALLOWED}
    assert unexpected == set(), "turn escaping back on, or add the use to ALLOWED with why"


def test_no_code_marks_text_safe_except_where_allowed():
    unexpected = {use for use in python_uses() if use not in ALLOWED}
    assert unexpected == set(), "escape with format_html, or add the use to ALLOWED with why"


def test_every_allowed_use_still_exists_and_says_why():
    found = template_uses() | python_uses()
    for use, reason in ALLOWED.items():
        assert use in found, f"{use} is no longer there: remove it from ALLOWED"
        assert len(reason) > 40, use


@pytest.mark.parametrize(("source", "expected"), [
    ("x = mark_safe(text)", "mark_safe"),
    ("x = SafeString(text)", "SafeString"),
    ("x = format_html(f'<b>{text}</b>')", "format_html with a built template"),
    ("x = format_html('<b>%s</b>' % text)", "format_html with a built template"),
    ("x = format_html('<b>{}</b>'.format(text))", "format_html with a built template"),
    ("x = format_html('<br>')", "format_html with nothing to escape"),
    ("@register.filter(is_safe=True)\ndef f(v): return v", "is_safe filter"),
])
def test_the_scan_finds_each_kind_of_misuse(source, expected):
    finder = _Finder()
    finder.visit(ast.parse(source))
    assert [what for what, _where in finder.found] == [expected]


def test_the_scan_lets_a_correct_format_html_pass():
    finder = _Finder()
    finder.visit(ast.parse("x = format_html('<b>{}</b>', text)\n"
                           "y = format_html('<a href=\"{url}\">{}</a>', text, url=u)"))
    assert finder.found == []


@pytest.mark.parametrize("line", [
    "{{ body|safe }}", "{{ body | safe }}", "{{ items|safeseq|join:', ' }}",
    "{% autoescape off %}{{ body }}{% endautoescape %}", "{% filter safe %}x{% endfilter %}",
])
def test_the_template_patterns_find_each_way_to_turn_escaping_off(line):
    assert any(pattern.search(line) for pattern in TEMPLATE_PATTERNS.values())


# --- the reasons in ALLOWED hold --------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>&<b onmouseover=1>'


def test_chart_svg_escapes_every_text_in_it():
    from reporting.charts import Series, render_svg

    months = [date(2026, month, 1) for month in range(1, 4)]
    series = (Series("a", HOSTILE, (1, 2, 3), '"><script>x</script>'),
              Series("b", "ok", (0, 1, 0), "#000000"))
    svg = render_svg(f"{HOSTILE}-slug", HOSTILE, HOSTILE, months, series,
                     value_axis=HOSTILE)
    assert "<script" not in svg and "onmouseover=1>" not in svg and "<b " not in svg
    assert svg.count("&lt;script&gt;") >= 5
    assert isinstance(svg, SafeData)


@pytest.mark.django_db
def test_the_cover_letter_is_plain_text_and_escaped_where_shown(units, personas):
    from routing.cover_letter import cover_letter_draft
    from tests.intake.pages_case import make_case
    from tests.routing.helpers import make_agency

    case = make_case(units, personas, body="Хээл хахууль авсан.")
    agency = make_agency(name_mn=HOSTILE)
    letter = cover_letter_draft(case, agency, None)
    assert HOSTILE in letter, "the text letter holds the name as written"
    assert not isinstance(letter, SafeData)
    shown = Template("<textarea>{{ letter }}</textarea>").render(Context({"letter": letter}))
    assert "<script>" not in shown and "&lt;script&gt;" in shown
