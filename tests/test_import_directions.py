"""Domains import each other only in the directions docs/architecture.md allows.

The table below is that page's table, as data: a new import against it fails here, and the
fix is to go through the content registry (`fanhub/content.py`), the personal-data registry
(`fanhub/personal_data.py`) or an event (`fanhub/events.py`), or to argue the direction in
the architecture page and change both.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FANHUB = Path(__file__).resolve().parent.parent / "fanhub"
# Packages that are tools over the whole product, not domains: the benchmark's data builder
# writes every domain's rows directly, as `fanhub/demo.py` does.
TOOLS = frozenset({"benchdata"})
DOMAINS = frozenset(
    path.name
    for path in FANHUB.iterdir()
    if path.is_dir() and (path / "__init__.py").exists() and path.name not in TOOLS
)

# Which other domains each domain may import from (any module of theirs), lowest first.
# accounts, notifications and brands are the low domains: who, how she is told, where.
ALLOWED: dict[str, frozenset[str]] = {
    "accounts": frozenset({"notifications"}),
    "notifications": frozenset({"accounts"}),
    "brands": frozenset({"accounts", "notifications"}),
    # Moderation sees content only through the registry: no forums, no reviews.
    "moderation": frozenset({"accounts", "brands", "notifications"}),
    # Content domains hold items in moderation's queue and tell members.
    "forums": frozenset({"accounts", "brands", "notifications", "moderation"}),
    "reviews": frozenset({"accounts", "brands", "notifications", "moderation"}),
    # The widget reads through the reviews domain only.
    "embed": frozenset({"reviews"}),
    # The desk answers topics and reviews: it reads their services and, for its aggregate
    # metrics, their models.
    # …and the composers' "answers before asking" counts from search (issue 14).
    "staff": frozenset({"accounts", "brands", "forums", "reviews", "search"}),
    # The site admin console sits on top: it calls the services of the domains it runs
    # (it reaches content only through the registry, as moderation does).
    "admin": frozenset({"accounts", "brands", "moderation", "notifications"}),
    # Search reads content only through the registry (`content.Searchable`): no forums,
    # no reviews; the brands and members its results name.
    "search": frozenset({"accounts", "brands"}),
}

# Single modules allowed a direction their domain is not, each with its reason.
EXCEPTIONS: dict[str, frozenset[str]] = {
    # The fan page is the brand's front door: its categories, latest topics and best-rated
    # products, in its own tuned queries (docs/performance.md), read-only.
    "brands.services.fan_page": frozenset({"forums", "reviews"}),
    # Product news names one of the brand's products.
    "brands.services.news": frozenset({"reviews"}),
    # A brand's creation, edits by a site admin, closing, reopening and handing over go on
    # the audit log (issue 13): moderation's `audit.record_action`, which imports only models.
    "brands.services.directory": frozenset({"moderation"}),
    "brands.services.lifecycle": frozenset({"moderation"}),
    # A site admin's retry of a failed email goes on the audit log (issue 13): moderation's
    # `audit.record_action` and its `Decision`, which import only models.
    "notifications.services.outbox": frozenset({"moderation"}),
}

# Never, whatever the table says: another domain's views and forms (STYLE.md, 12.9).
NEVER = ("views", "forms")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of a module but those under `if TYPE_CHECKING:` (a type-only import
    names a class in an annotation; it is no dependency when the code runs)."""
    nodes: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            todo.extend(node.orelse)
            continue
        nodes.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return nodes


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every `fanhub.<something>` module a file imports when it runs, with its line."""
    found = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "fanhub":
                found += [(node.lineno, f"fanhub.{alias.name}") for alias in node.names]
            else:
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.startswith("fanhub.")]


def violations(root: Path = FANHUB) -> list[str]:
    """Each import in `root` against the table, as "file:line imports module"."""
    wrong = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) < 2 or parts[0] not in DOMAINS:
            continue
        mine = parts[0]
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        allowed = ALLOWED.get(mine, frozenset()) | EXCEPTIONS.get(module, frozenset())
        for line, name in _imports(path):
            pieces = name.split(".")
            other = pieces[1]
            if other not in DOMAINS or other == mine:
                continue
            if other not in allowed or any(piece in NEVER for piece in pieces[2:]):
                wrong.append(f"fanhub/{'/'.join(parts)}:{line} imports {name}")
    return wrong


def test_every_domain_is_in_the_table():
    assert set(ALLOWED) == DOMAINS


def test_domains_import_only_in_the_allowed_directions():
    assert violations() == []


def test_a_forbidden_import_is_caught(tmp_path):
    # The check can fail: moderation reaching into the forum's models is exactly what
    # the registry replaced.
    package = tmp_path / "moderation"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("from fanhub.forums.models import Topic\n")
    (tmp_path / "forums").mkdir()
    (tmp_path / "forums" / "__init__.py").write_text("")
    assert violations(tmp_path) == [
        "fanhub/moderation/services.py:1 imports fanhub.forums.models.Topic"
    ]


@pytest.mark.parametrize("module", ["views", "forms"])
def test_another_domains_views_and_forms_are_never_imported(tmp_path, module):
    for name in ("staff", "forums"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "staff" / "services.py").write_text(f"from fanhub.forums import {module}\n")
    assert violations(tmp_path) == [f"fanhub/staff/services.py:1 imports fanhub.forums.{module}"]
