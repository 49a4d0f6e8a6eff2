"""Soma tells OpenBLAS not to spin when it loads numpy itself (see soma_core._threads)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import soma_core, os; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"


def _probe(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    result = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_soma_first_sets_a_short_openblas_spin() -> None:
    assert _probe(PROBE) == "4"


def test_an_operators_setting_wins() -> None:
    assert _probe(PROBE, OPENBLAS_THREAD_TIMEOUT="12") == "12"


def test_numpy_loaded_first_is_left_alone() -> None:
    assert _probe("import numpy; " + PROBE) == "None"
