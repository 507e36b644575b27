"""puffin's requirements.txt against ``uv pip compile``'s for the same resolution.

uv resolves a small graph from local files (no network); puffin formats a hand-built
Resolution of the same pins, with its sources read from the same input files by puffin's own
parser. The two texts must be identical but for the tool's name in the first header line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.compile import CompileOutputOptions, format_resolution, via_sources_from_manifest
from puffin.requirements import build_manifest
from puffin.testing.dists import make_sdist, make_wheel
from puffin.testing.index import write_simple_index
from puffin.types.dist import DistFile
from puffin.types.index import IndexKind, IndexSpec
from puffin.types.resolution import Resolution, ResolvedDist

COMMAND = "puffin pip compile requirements.in -c constraints.txt --override overrides.txt"


def _uv() -> str:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    return uv


def _run_uv(workdir: Path, *args: str) -> str:
    # Only our settings: a user's UV_INDEX_URL or uv.toml must not change the output.
    environ = {key: value for key, value in os.environ.items() if not key.startswith("UV_")}
    environ |= {"UV_CACHE_DIR": str(workdir / "uv-cache"), "UV_NO_CONFIG": "1", "NO_COLOR": "1"}
    completed = subprocess.run(
        [
            _uv(),
            "pip",
            "compile",
            "requirements.in",
            "-c",
            "constraints.txt",
            "--override",
            "overrides.txt",
            "--python",
            sys.executable,
            "--offline",
            "--quiet",
            "--custom-compile-command",
            COMMAND,
            *args,
        ],
        cwd=workdir,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(source: IndexSpec, *paths: Path) -> tuple[DistFile, ...]:
    return tuple(
        DistFile(path.name, path.as_uri(), source, (("sha256", _sha256(path)),)) for path in paths
    )


class Graph:
    """The inputs and distributions of one comparison, and the pins uv is expected to pick."""

    def __init__(self, workdir: Path, *, extra_files: bool) -> None:
        self.workdir = workdir
        self.dists = workdir / "dists"
        wheel = self._wheel
        self.files: dict[str, tuple[Path, ...]] = {
            "http-x": (wheel("Http_X", "0.27.0", requires_dist=["anyio", "certifi", "httpcore"]),),
            "anyio": (wheel("anyio", "4.4.0", requires_dist=["idna"]),),
            "idna": (wheel("idna", "3.7"),),
            "certifi": (wheel("certifi", "2024.7.4"),),
            "httpcore": (wheel("httpcore", "1.0.5", requires_dist=["certifi", "h11[speedups]"]),),
            "h11": (wheel("h11", "0.14.0", extras={"speedups": ["idna"]}),),
        }
        if extra_files:
            # An index lists every file of a version; each must appear as a hash.
            self.files["certifi"] += (
                wheel("certifi", "2024.7.4", tag="py2.py3-none-any"),
                make_sdist(self.dists, "certifi", "2024.7.4"),
            )
        self.local = make_wheel(workdir / "local", "loc", "0.1", requires_dist=["anyio"])
        (workdir / "requirements.in").write_text(f"Http_X\nanyio\nloc @ {self.local.as_uri()}\n")
        (workdir / "constraints.txt").write_text("idna<4\n")
        (workdir / "overrides.txt").write_text("anyio>=4\n")

    def _wheel(self, name: str, version: str, **kwargs: object) -> Path:
        return make_wheel(self.dists, name, version, **kwargs)  # type: ignore[arg-type]

    def resolution(self, source: IndexSpec) -> Resolution:
        """What uv resolves these inputs to, pinned by hand."""
        versions = {
            "anyio": "4.4.0",
            "certifi": "2024.7.4",
            "h11": "0.14.0",
            "http-x": "0.27.0",
            "httpcore": "1.0.5",
            "idna": "3.7",
        }
        dependents = {
            "anyio": ("http-x", "loc"),
            "certifi": ("http-x", "httpcore"),
            "h11": ("httpcore",),
            "httpcore": ("http-x",),
            "idna": ("anyio", "h11"),
        }
        dists = [
            ResolvedDist(
                name=canonicalize_name(name),
                version=Version(version),
                files=_files(source, *self.files[name]),
                extras=("speedups",) if name == "h11" else (),
                required_by=dependents.get(name, ()),
            )
            for name, version in versions.items()
        ]
        dists.append(
            ResolvedDist(
                name=canonicalize_name("loc"),
                version=Version("0.1"),
                files=_files(IndexSpec(self.local.as_uri(), IndexKind.FLAT), self.local),
                url=self.local.as_uri(),
            )
        )
        return Resolution(tuple(sorted(dists, key=lambda dist: dist.name)))

    def options(self, **kwargs: object) -> CompileOutputOptions:
        manifest = build_manifest(
            requirement_files=[self.workdir / "requirements.in"],
            constraint_files=[self.workdir / "constraints.txt"],
            override_files=[self.workdir / "overrides.txt"],
            base_dir=self.workdir,
            environ={},
        )
        sources = via_sources_from_manifest(manifest, base_dir=self.workdir)
        return CompileOutputOptions(command=COMMAND, via_sources=sources, **kwargs)  # type: ignore[arg-type]


def _as_puffin(uv_output: str) -> str:
    uv_header = "# This file was autogenerated by uv via the following command:\n"
    if not uv_output.startswith(uv_header):
        return uv_output  # --no-header: nothing names the tool
    return uv_output.replace(" by uv ", " by puffin ", 1)


CASES: dict[str, tuple[tuple[str, ...], dict[str, object]]] = {
    "default": ((), {}),
    "line": (("--annotation-style", "line"), {"annotation_style": "line"}),
    "hashes": (("--generate-hashes",), {"generate_hashes": True}),
    "hashes-line": (
        ("--generate-hashes", "--annotation-style=line"),
        {"generate_hashes": True, "annotation_style": "line"},
    ),
    "no-strip-extras": (("--no-strip-extras",), {"strip_extras": False}),
    "bare": (("--no-header", "--no-annotate"), {"header": False, "annotate": False}),
    "no-emit": (
        ("--no-emit-package", "idna", "--no-emit-package", "certifi"),
        {"no_emit_packages": ("idna", "certifi")},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_uv_with_find_links(tmp_path: Path, case: str) -> None:
    graph = Graph(tmp_path, extra_files=False)
    uv_args, option_values = CASES[case]
    uv_output = _run_uv(tmp_path, "--no-index", "--find-links", str(graph.dists), *uv_args)
    source = IndexSpec(str(graph.dists), IndexKind.FLAT)
    ours = format_resolution(graph.resolution(source), graph.options(**option_values))
    assert ours == _as_puffin(uv_output)


def test_matches_uv_with_emitted_find_links(tmp_path: Path) -> None:
    graph = Graph(tmp_path, extra_files=False)
    uv_output = _run_uv(
        tmp_path, "--no-index", "--find-links", str(graph.dists), "--emit-find-links"
    )
    source = IndexSpec(str(graph.dists), IndexKind.FLAT)
    options = graph.options(emit_find_links=True, find_links=(str(graph.dists),))
    assert format_resolution(graph.resolution(source), options) == _as_puffin(uv_output)


def test_matches_uv_with_an_index_every_file_hashed(tmp_path: Path) -> None:
    graph = Graph(tmp_path, extra_files=True)
    write_simple_index(
        tmp_path / "index", [path for paths in graph.files.values() for path in paths]
    )
    index_url = (tmp_path / "index" / "simple").as_uri()
    uv_output = _run_uv(
        tmp_path,
        "--index-url",
        index_url,
        "--emit-index-url",
        "--generate-hashes",
        "--no-strip-extras",
    )
    assert uv_output.count("--hash=") == 9  # three for certifi: both wheels and the sdist
    source = IndexSpec(index_url, IndexKind.SIMPLE)
    options = graph.options(
        emit_index_url=True, index_urls=(index_url,), generate_hashes=True, strip_extras=False
    )
    assert format_resolution(graph.resolution(source), options) == _as_puffin(uv_output)
