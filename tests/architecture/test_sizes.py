"""A newcomer reads a file in one sitting and a function on one screen: no production file
over 400 lines, no function over 60 (the benchmarks count as production; tests and
migrations do not)."""

import ast

from tests.architecture.imports import ROOT, modules

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def _production_files():
    files = list(modules().values())
    files += [path for path in (ROOT / "bench").rglob("*.py")]
    return sorted(files)


def test_no_production_file_is_over_400_lines():
    long = {str(path.relative_to(ROOT)): lines for path in _production_files()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert long == {}


def test_no_function_is_over_60_lines():
    long = {}
    for path in _production_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert long == {}


def test_the_count_sees_the_whole_tree():
    names = {str(path.relative_to(ROOT)) for path in _production_files()}
    assert "config/settings.py" in names and "bench/load.py" in names
    assert not any(name.startswith("tests/") or "/migrations/" in name for name in names)
