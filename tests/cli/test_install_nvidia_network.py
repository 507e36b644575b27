"""Real ``nvidia-*-cu12`` wheels from PyPI: each ships ``nvidia/__init__.py``, and
installing them in parallel must leave one whole file, recorded by each."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

# Small ones (the toolkit's runtime and NVTX): the point is the shared path, not CUDA.
WHEELS = ("nvidia-nvtx-cu12==12.4.127", "nvidia-cuda-runtime-cu12==12.4.127")


@pytest.mark.network
def test_nvidia_wheels_sharing_a_package_init_install_together(run_puffin, tmp_path) -> None:
    run_puffin("venv", str(tmp_path / "env"), "-p", sys.executable).assert_ok()
    venv = tmp_path / "env"
    result = run_puffin("pip", "install", "-p", venv, *WHEELS)
    result.assert_ok()
    site = next((venv / "lib").glob("python*/site-packages"))
    shared = site / "nvidia" / "__init__.py"
    assert shared.is_file()
    recorded_by = []
    for info in site.glob("nvidia_*.dist-info"):
        with (info / "RECORD").open(newline="") as handle:
            if any(row and row[0] == "nvidia/__init__.py" for row in csv.reader(handle)):
                recorded_by.append(info.name)
    assert len(recorded_by) == 2, recorded_by
    check = subprocess.run(
        [venv / "bin" / "python", "-c", "import nvidia.nvtx, nvidia.cuda_runtime"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert not list(Path(site).glob("nvidia/.*")), "no temporary sibling left behind"
