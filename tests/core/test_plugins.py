"""Plugin discovery through entry points, load/block lists, duplicate names, tracing."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from soma_core.errors import ConfigError, PluginError
from soma_core.plugins import get_plugin_manager
from soma_core.registry import Registry
from soma_core.stack import build_stack

from ..conftest import embedded_settings


def install_fake_distribution(site: Path, dist: str, plugin: str, module: str, backend: str) -> None:
    """Write a real installed distribution (dist-info + module) into ``site``, as pip would."""
    (site / f"{module}.py").write_text(
        textwrap.dedent(
            f"""
            from soma_core.hookspecs import hookimpl
            from soma_core.builtins.memory_kv import MemoryKVStore

            class Store(MemoryKVStore):
                name = {backend!r}

            @hookimpl
            def register_kv_stores(register):
                register(Store)
            """
        )
    )
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[soma]\n{plugin} = {module}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    yield path
    for name in [m for m in sys.modules if m.startswith("fake_plugin")]:
        del sys.modules[name]


def test_builtins_register_through_the_hooks() -> None:
    registry = Registry(get_plugin_manager(entrypoints=False))
    assert set(registry.backends["kv"]) == {"memory", "sqlite"}
    assert registry.get("vectors", "numpy").distribution == "soma-core"
    assert set(registry.backends["scorer"]) == {"explicit", "heuristic"}


def test_entry_point_plugin_is_discovered_with_its_distribution(site: Path) -> None:
    install_fake_distribution(site, "soma-fake", "fake", "fake_plugin_a", "fakekv")
    info = Registry(get_plugin_manager(load=["fake"])).get("kv", "fakekv")
    assert (info.plugin, info.distribution, info.version) == ("fake", "soma-fake", "1.2.3")


def test_load_list_limits_installed_plugins(site: Path) -> None:
    install_fake_distribution(site, "soma-fake", "fake", "fake_plugin_b", "fakekv")
    registry = Registry(get_plugin_manager(load=[]))
    assert "fakekv" not in registry.backends["kv"]
    assert "sqlite" in registry.backends["kv"]  # built-ins are not limited by load


def test_block_list_removes_builtins_and_installed(site: Path) -> None:
    install_fake_distribution(site, "soma-fake", "fake", "fake_plugin_c", "fakekv")
    registry = Registry(get_plugin_manager(load=["fake"], block=["fake", "sqlite"]))
    assert set(registry.backends["kv"]) == {"memory"}
    with pytest.raises(ConfigError, match="unknown kv backend 'sqlite'.*available: memory"):
        registry.get("kv", "sqlite")


def test_two_backends_with_one_name_name_both_distributions(site: Path) -> None:
    install_fake_distribution(site, "soma-fake-one", "one", "fake_plugin_d", "clash")
    install_fake_distribution(site, "soma-fake-two", "two", "fake_plugin_e", "clash")
    with pytest.raises(PluginError) as info:
        Registry(get_plugin_manager(load=["one", "two"]))
    assert "soma-fake-one" in str(info.value) and "soma-fake-two" in str(info.value)


def test_plugin_shadowing_a_builtin_name_is_an_error(site: Path) -> None:
    install_fake_distribution(site, "soma-fake", "fake", "fake_plugin_f", "sqlite")
    with pytest.raises(PluginError, match="soma-core.*soma-fake"):
        Registry(get_plugin_manager(load=["fake"]))


def test_broken_plugin_names_itself(site: Path) -> None:
    (site / "fake_plugin_broken.py").write_text("raise RuntimeError('boom')\n")
    info = site / "soma_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: soma-broken\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[soma]\nbroken = fake_plugin_broken\n")
    with pytest.raises(PluginError, match="plugin 'broken' from soma-broken failed to load: boom"):
        get_plugin_manager(load=["broken"])


def test_registering_the_wrong_kind_is_refused() -> None:
    from soma_core.builtins.numpy_vectors import NumpyVectorStore
    from soma_core.hookspecs import hookimpl

    class Wrong:
        @hookimpl
        def register_kv_stores(self, register):  # type: ignore[no-untyped-def]
            register(NumpyVectorStore)

    pm = get_plugin_manager(entrypoints=False)
    pm.register(Wrong(), name="wrong")
    with pytest.raises(PluginError, match="not a subclass of KVStore"):
        Registry(pm)


def test_trace_writes_hook_calls_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    Registry(get_plugin_manager(entrypoints=False, trace=True))
    assert "register_kv_stores" in capsys.readouterr().err


def test_settings_select_plugin_backend_by_name(site: Path, tmp_path: Path) -> None:
    install_fake_distribution(site, "soma-fake", "fake", "fake_plugin_g", "fakekv")
    settings = embedded_settings(tmp_path, plugins={"load": ["fake"]}, stack={"kv": {"backend": "fakekv"}, "embedder": {"backend": "hash"}})
    stack = build_stack(settings)
    assert stack.kv.name == "fakekv" and stack.infos["kv"].distribution == "soma-fake"
