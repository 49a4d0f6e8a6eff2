"""Installed with pip, the plugin is discovered through its entry point and selected from YAML."""

from pathlib import Path

import pytest

from soma_core import load_settings, open_engine
from soma_core.plugins import get_plugin_manager
from soma_core.registry import Registry


def test_discovered_through_entry_point() -> None:
    info = Registry(get_plugin_manager(load=["example-kv"])).get("kv", "jsonfile")
    assert (info.plugin, info.distribution) == ("example-kv", "soma-example-kv")


@pytest.mark.asyncio
async def test_selected_by_name_from_yaml(tmp_path: Path) -> None:
    config = tmp_path / "soma.yaml"
    config.write_text(
        f"stack:\n  kv: {{backend: jsonfile, path: {tmp_path / 'kv.json'}}}\n  embedder: {{backend: hash}}\n"
        "plugins: {load: [example-kv]}\n"
    )
    engine = await open_engine(load_settings(config))
    try:
        memory_id = await engine.store("stored through the example plugin")
        assert (await engine.recall(memory_id)).content == "stored through the example plugin"
    finally:
        await engine.close()
    assert memory_id in (tmp_path / "kv.json").read_text()
