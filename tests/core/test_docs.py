"""Docs stay honest: every hook is documented with its arguments, every built-in option too."""

from __future__ import annotations

import inspect
from pathlib import Path

from soma_core import hookspecs
from soma_core.plugins import DEFAULT_PLUGINS
from soma_core.registry import HOOKS

ROOT = Path(__file__).resolve().parents[2]


def test_every_hook_has_a_documented_section() -> None:
    text = (ROOT / "docs" / "hooks.md").read_text()
    for name in HOOKS.values():
        spec = getattr(hookspecs, name)
        assert f"## {name}\n" in text, f"docs/hooks.md lacks a section for {name}"
        section = text.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        for argument in inspect.signature(spec).parameters:
            assert argument in section, f"docs/hooks.md: {name} section does not name argument {argument!r}"


def test_every_builtin_plugin_is_named_in_hook_docs() -> None:
    text = (ROOT / "docs" / "hooks.md").read_text()
    for name in DEFAULT_PLUGINS:
        assert f"`{name}`" in text


def test_every_builtin_backend_option_is_documented() -> None:
    from soma_core.plugins import get_plugin_manager
    from soma_core.registry import Registry

    text = (ROOT / "docs" / "configuration.md").read_text()
    for kind in Registry(get_plugin_manager(entrypoints=False)).backends.values():
        for info in kind.values():
            for option in info.cls.Config.model_fields:
                assert f"`{option}`" in text, f"docs/configuration.md does not document {info.name}.{option}"
