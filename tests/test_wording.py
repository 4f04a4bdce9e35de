"""The interface addresses members without assuming their gender (issue 13, point 14).

What a member or a brand's team can read (templates and emails, and every message, flash,
error and notice the code writes) says "they" and "their", never "she" or "he". Code
comments and docstrings keep the team's persona ("she"): they are not shown to anyone, so
this reads the sources with them taken out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRONOUNS = re.compile(r"\b(she|her|hers|herself|he|him|his|himself)\b", re.IGNORECASE)
# Not shown to anyone: Jinja and HTML comments in templates, comments in scripts.
TEMPLATE_COMMENTS = re.compile(r"\{#.*?#\}|<!--.*?-->", re.DOTALL)
SCRIPT_COMMENTS = re.compile(r"/\*.*?\*/|^\s*//.*?$", re.DOTALL | re.MULTILINE)


def pronouns_in_template(source: str) -> list[str]:
    """The gendered pronouns a reader could see in a template (or a script) source."""
    return PRONOUNS.findall(SCRIPT_COMMENTS.sub("", TEMPLATE_COMMENTS.sub("", source)))


def pronouns_in_python(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string in Python source that has a gendered pronoun, leaving
    out docstrings (and comments, which are not strings)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and PRONOUNS.search(node.value)
    ]


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("{# in words she can act on #}<p>Invite her to update it.</p>", ["her"]),
        ("<!-- his note -->{{ 'He left' if gone }}", ["He"]),
        ("/* she claims */\n// her text\nshow('Ask him first');", ["him"]),
        ("<p>Invite them to update their rating.</p><p>The theme, the shelf.</p>", []),
    ],
)
def test_the_template_check_sees_only_visible_words(source, found):
    assert pronouns_in_template(source) == found


def test_the_code_check_skips_docstrings_but_not_messages():
    source = (
        '"""What she owns."""\n'
        "def tell(member):\n"
        '    """Tell her."""\n'
        "    # her inbox\n"
        '    flash(f"{member} updated her rating.")\n'
    )
    assert pronouns_in_python(source) == [(5, " updated her rating.")]


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt"),
            *(ROOT / "static" / "js").rglob("*.js")]),
    ids=_relative,
)  # fmt: skip
def test_pages_emails_and_scripts_say_they_not_she_or_he(path):
    assert pronouns_in_template(path.read_text(encoding="utf-8")) == [], _relative(path)


@pytest.mark.parametrize("path", sorted((ROOT / "fanhub").rglob("*.py")), ids=_relative)
def test_messages_in_the_code_say_they_not_she_or_he(path):
    # Flash messages, errors, notices, email subjects, CLI output: any string but a docstring.
    assert pronouns_in_python(path.read_text(encoding="utf-8")) == [], _relative(path)
