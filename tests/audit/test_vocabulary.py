"""Every action the code writes to the audit trail, and every key of its details, has words
in audit.vocabulary: the source is read for each `record(action=…, details=…)` call, so a new
event without a label fails here rather than reaching the auditor as a code."""

import ast
from functools import cache
from pathlib import Path

import pytest
from django.utils import translation

from audit import vocabulary
from audit.services import READ_ACTION
from tests.architecture.imports import modules


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _constants(module: str) -> dict[str, ast.expr]:
    """A module's top-level names: those assigned there, and those imported by name."""
    known = modules()
    found: dict[str, ast.expr] = {}
    if module not in known:
        return found
    for node in _tree(known[module]).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = ast.Attribute(
                    value=ast.Name(id=node.module), attr=alias.name)
    return found


def _strings(node: ast.expr, module: str, depth: int = 0) -> set[str] | None:
    """The strings an expression can be, or None when the source does not tell."""
    if depth > 5:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, other = _strings(node.body, module, depth + 1), _strings(node.orelse, module,
                                                                        depth + 1)
        return None if body is None or other is None else body | other
    if isinstance(node, ast.Name):
        value = _constants(module).get(node.id)
        return None if value is None else _strings(value, module, depth + 1)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        value = _constants(node.value.id).get(node.attr)
        return None if value is None else _strings(value, node.value.id, depth + 1)
    return None


def _is_record(call: ast.Call) -> bool:
    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
    return name == "record" and any(keyword.arg == "action" for keyword in call.keywords)


def _function_dicts(function: ast.AST, name: str) -> set[str]:
    """Keys given to the dict `name` inside `function`: `name = {…}` and `name["key"] = …`."""
    keys = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    keys |= _dict_keys(node.value)
                if (isinstance(target, ast.Subscript) and getattr(target.value, "id", None) == name
                        and isinstance(target.slice, ast.Constant)):
                    keys.add(target.slice.value)
    return keys


def _dict_keys(node) -> set[str]:
    if not isinstance(node, ast.Dict):
        return set()
    return {key.value for key in node.keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str)}


def written_events() -> tuple[dict[str, set[str]], list[str]]:
    """Each action the code writes, with the details keys written with it; and the calls
    whose action the source does not tell."""
    actions: dict[str, set[str]] = {}
    unknown = []
    for module, path in modules().items():
        tree = _tree(path)
        functions = [node for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        for function in functions or [tree]:
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and _is_record(call)):
                    continue
                keyword = {kw.arg: kw.value for kw in call.keywords}
                codes = _strings(keyword["action"], module)
                if codes is None:
                    unknown.append(f"{path.relative_to(path.parents[1])}:{call.lineno}")
                    continue
                details = keyword.get("details")
                keys = _dict_keys(details)
                if isinstance(details, ast.Name):
                    keys |= _function_dicts(function, details.id)
                for code in codes:
                    actions.setdefault(code, set()).update(keys)
    actions.setdefault(READ_ACTION, set()).add("fields")  # audit.services.record_read
    return actions, unknown


def test_the_source_is_read_for_every_audited_action():
    actions, unknown = written_events()
    assert unknown == [], "say the action of these record() calls with a string or a constant"
    # A floor, so that a scanner that finds nothing cannot pass.
    assert {"complaint.logged", "referral.approved", "report.approved", "box.opened",
            "clock.escalated", "clock.reminded", "audit.verify", "content.damaged",
            "backup.written", "complaint.shredded"} <= set(actions)
    assert len(actions) >= 40


def test_every_action_written_has_words():
    actions, _unknown = written_events()
    assert sorted(code for code in actions if vocabulary.action(code) is None) == []


def test_every_details_key_written_has_a_label():
    actions, _unknown = written_events()
    missing = sorted(f"{code}: {key}" for code, keys in actions.items() for key in keys
                     if vocabulary.field_for(code, key) is None)
    assert missing == []


@pytest.mark.parametrize("language", ["mn", "en"])
def test_every_action_is_a_phrase_not_a_code(language):
    with translation.override(language):
        for code in vocabulary.action_codes():
            label = str(vocabulary.action(code).label)
            assert label and "." not in label and "_" not in label, (code, label)
        for prefix, label, _actions in vocabulary.action_groups():
            assert str(label) and str(label) != prefix


def test_the_kinds_named_by_fields_are_known():
    kinds = {"text", "bool", "person", "hidden", "exists"}
    for key in vocabulary.field_keys():
        for code in [None, *vocabulary.action_codes()]:
            field = vocabulary.field_for(code or "", key)
            if field is None:
                continue
            assert (field.kind in kinds or vocabulary.kind(field.kind) is not None
                    or vocabulary.has_choices(field.kind)), (code, key, field.kind)
