"""The import graph of Shugel's own code, read from the source (nothing is imported).

Used by test_imports.py and runnable on its own while moving code:

    python -m tests.architecture.imports

prints every rule the code breaks: an import cycle between modules (imports inside
functions count), a private name or a `views` module taken from another app, and an arrow
against the app order written in docs/architecture.md.
"""

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
# Folders that are not apps of the running system: the tests, the benchmarks, the
# environment, static files and templates.
NOT_APPS = {"tests", "bench", "docs", "deploy", "locale", "static", "templates", "var",
            "staticfiles", "node_modules"}


@dataclass(frozen=True)
class Arrow:
    source: str  # dotted module that imports
    target: str  # dotted module (or package) it imports
    names: tuple[str, ...]  # names taken with `from target import ...`
    line: int

    @property
    def source_app(self) -> str:
        return self.source.split(".")[0]

    @property
    def target_app(self) -> str:
        return self.target.split(".")[0]


def app_order(doc: Path = DOC) -> list[str]:
    """The apps from the bottom up, as the fenced block under "## App order" lists them."""
    text = doc.read_text(encoding="utf-8")
    found = re.search(r"^## App order\s*$.*?^```[a-z]*\n(.*?)^```", text, re.M | re.S)
    if not found:
        raise ValueError(f"{doc} has no fenced block under '## App order'")
    return re.findall(r"[a-z_]+", found.group(1))


def apps() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir()
                  if p.is_dir() and p.name not in NOT_APPS and not p.name.startswith(".")
                  and (p / "__init__.py").exists())


def modules() -> dict[str, Path]:
    """Every production module by its dotted name; migrations left out (they name models
    as strings and import nothing of the apps' code)."""
    found = {}
    for app in apps():
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def arrows(known: dict[str, Path] | None = None) -> list[Arrow]:
    known = modules() if known is None else known
    own = set(apps())
    found = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in own:
                        found.append(Arrow(module, alias.name, (), node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = _package_of(module, path).split(".")
                    package = package[:len(package) - node.level + 1]
                    base = ".".join(package + ([base] if base else []))
                if base.split(".")[0] not in own:
                    continue
                for alias in node.names:
                    # `from routing import services` imports the module routing.services.
                    candidate = f"{base}.{alias.name}"
                    if candidate in known:
                        found.append(Arrow(module, candidate, (), node.lineno))
                    else:
                        found.append(Arrow(module, base, (alias.name,), node.lineno))
    return found


def cycles(found: list[Arrow]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    graph: dict[str, set[str]] = {}
    for arrow in found:
        if arrow.source != arrow.target:
            graph.setdefault(arrow.source, set()).add(arrow.target)
            graph.setdefault(arrow.target, set())
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def _is_views(module: str) -> bool:
    return any(part == "views" or part.startswith("views_") for part in module.split("."))


def problems(order: list[str] | None = None) -> list[str]:
    order = app_order() if order is None else order
    rank = {app: position for position, app in enumerate(order)}
    found = arrows()
    said = []
    for app in apps():
        if app not in rank:
            said.append(f"app {app} is not in the app order of docs/architecture.md")
    for arrow in found:
        if arrow.source_app == arrow.target_app:
            continue
        where = f"{arrow.source}:{arrow.line}"
        private = [name for name in arrow.names if name.startswith("_")]
        private += [part for part in arrow.target.split(".") if part.startswith("_")
                    and part != "__init__"]
        if private:
            said.append(f"{where} takes private {', '.join(private)} from {arrow.target}")
        if _is_views(arrow.target):
            said.append(f"{where} imports the views module {arrow.target}")
        if rank.get(arrow.target_app, -1) > rank.get(arrow.source_app, len(order)):
            said.append(f"{where} imports {arrow.target}: {arrow.source_app} is below "
                        f"{arrow.target_app} in the app order")
    for group in cycles(found):
        said.append("import cycle among: " + ", ".join(group))
    return list(dict.fromkeys(said))


if __name__ == "__main__":
    found = problems()
    print("\n".join(found) or "no problems")
    sys.exit(1 if found else 0)
