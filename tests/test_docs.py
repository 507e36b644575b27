"""The docs stay true: every hook and argument, every command and flag, is documented.

The idea is datasette's: a test fails when the reference pages fall behind the code.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from puffin.cli import reference as cli_reference
from puffin.plugin import reference as hook_reference
from puffin.plugin import spec

DOCS = Path(__file__).resolve().parents[1] / "docs"
HOOKS = list(hook_reference.hook_functions())


def test_hook_reference_is_generated_from_the_spec() -> None:
    committed = (DOCS / "plugins" / "reference.md").read_text()
    assert committed == hook_reference.render(), (
        "docs/plugins/reference.md is stale: run "
        "`python -m puffin.plugin.reference > docs/plugins/reference.md`"
    )


@pytest.mark.parametrize("name", [name for name, _ in HOOKS])
def test_every_hook_and_argument_is_documented(name: str) -> None:
    text = (DOCS / "plugins" / "reference.md").read_text()
    section = text.split(f"## `{name}`", 1)
    assert len(section) == 2, f"{name} has no section in docs/plugins/reference.md"
    body = section[1].split("\n## ", 1)[0]
    for argument in inspect.signature(getattr(spec, name)).parameters:
        assert f":param {argument}:" in body, f"{name}: argument {argument!r} is undocumented"
    assert re.search(r"\*Kind:\* (firstresult|historic|collect)", body)


def test_every_hook_in_the_spec_is_in_the_reference_list() -> None:
    specified = {name for name in vars(spec) if name.startswith("puffin_")}
    assert specified == {name for name, _ in HOOKS}
    # the design's hook list, plus puffin_add_commands
    assert len(specified) == 14


def test_cli_reference_is_generated_from_the_parser() -> None:
    committed = (DOCS / "cli.md").read_text()
    assert committed == cli_reference.render(), (
        "docs/cli.md is stale: run `python -m puffin.cli.reference > docs/cli.md`"
    )


def test_architecture_names_every_package() -> None:
    text = (DOCS / "architecture.md").read_text()
    package_root = Path(__file__).resolve().parents[1] / "puffin"
    for package in sorted(p.name for p in package_root.iterdir() if (p / "__init__.py").exists()):
        assert f"{package}/" in text, f"docs/architecture.md does not describe puffin/{package}/"
