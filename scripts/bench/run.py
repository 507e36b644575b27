#!/usr/bin/env python3
"""Benchmarks: puffin beside uv and pip, interleaved in one run, reported as medians and ratios.

Usage: python scripts/bench/run.py [--rounds N] [--workload NAME ...]

The script makes its own environment (scripts/bench/.venv) with puffin (from this
checkout), uv and pip installed, so a new machine and CI get the same tools. Each round
runs every tool once, in a rotating order, so a slow moment of the machine is shared by
all tools instead of landing on one.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

ROOT = Path(__file__).resolve().parents[2]
# Users' interpreters write and reuse bytecode; a machine-wide PYTHONDONTWRITEBYTECODE
# would make every Python tool (puffin and pip alike) recompile its sources on each run.
BENCH_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
BENCH_VENV = Path(__file__).resolve().parent / ".venv"
PIP_TOOLS_VENV = Path(__file__).resolve().parent / ".venv-pip-tools"
"""pip-tools in an environment of its own, so that puffin's has only what users install."""


@dataclass(frozen=True)
class Tool:
    """One command to time. ``prepare`` runs untimed before each run (e.g. delete a dir)."""

    name: str
    argv: Sequence[str]
    prepare: Callable[[], None] | None = None


def ensure_bench_env() -> Path:
    """Create scripts/bench/.venv with puffin, uv and pip; return its bin directory."""
    bin_dir = BENCH_VENV / "bin"
    if not (bin_dir / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    if not (bin_dir / "uv").exists():
        subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip", "uv"],
            check=True,
        )
    if (bin_dir / "pip-compile").exists():
        # Left by an older version of this script: pip-tools brings click, which httpx
        # imports at start-up when present, a cost puffin's users do not pay.
        subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "uninstall", "-q", "-y", "pip-tools", "click"],
            check=True,
        )
    tools_bin = PIP_TOOLS_VENV / "bin"
    if not (tools_bin / "pip-compile").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PIP_TOOLS_VENV)], check=True)
        subprocess.run(
            [str(tools_bin / "python"), "-m", "pip", "install", "-q", "-U", "pip", "pip-tools"],
            check=True,
        )
    marker = BENCH_VENV / ".installed"
    if not marker.exists() or marker.read_text() != _checkout_stamp():
        # A regular (not editable) install, as users get: no import-hook finder at start-up.
        pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(ROOT)], check=True)
        subprocess.run([*pip, str(ROOT)], check=True)
        # Python 3.11's venv seeds setuptools, whose .pth hook runs at every start-up of
        # every tool in the venv; a pipx or `uv tool` install of puffin has none.
        subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "uninstall", "-q", "-y", "setuptools"],
            check=False,
        )
        marker.write_text(_checkout_stamp())
    return bin_dir


def _checkout_stamp() -> str:
    """Changes whenever a file of the puffin package changes, so the bench reinstalls."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "puffin").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


class SetAside:
    """Moves trees a benchmark is done with out of the way; they are deleted with the
    scratch directory once every measurement is taken.

    Deleting a tree just before a timed run slows that run for a reason outside the tool.
    On ext4 without a journal (this machine's disk), allocating an inode steps over every
    free inode of its group that was deleted in the last minute (six while the inode table
    is dirty), one buffer-cache lookup each. Measured here: copying the same 12,600 files
    took 0.7 s into a fresh tree and 5.4 s after four copy-and-delete cycles, all of it
    system time; a cold ``uv pip install`` of the web set took 0.9 s or 16 s depending on
    what had been deleted before it. A rename frees no inode.
    """

    def __init__(self, scratch: Path) -> None:
        self._directory = scratch / ".set-aside"
        self._count = 0

    def __call__(self, path: Path) -> None:
        """Move ``path`` (when it exists) into the set-aside directory."""
        if not path.exists():
            return
        self._directory.mkdir(exist_ok=True)
        self._count += 1
        os.rename(path, self._directory / str(self._count))


def time_once(tool: Tool) -> float:
    """Wall time of one run of ``tool`` in seconds; a failing run aborts the benchmark."""
    if tool.prepare is not None:
        tool.prepare()
    started = time.perf_counter()
    result = subprocess.run(tool.argv, capture_output=True, env=BENCH_ENV, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{tool.name} failed ({result.returncode}): {result.stderr.decode()[-2000:]}")
    return elapsed


def measure(tools: Sequence[Tool], rounds: int, warmup: int = 2) -> dict[str, list[float]]:
    """Interleaved timings: round r runs every tool once, starting at a rotating offset."""
    for _ in range(warmup):
        for tool in tools:
            time_once(tool)
    samples: dict[str, list[float]] = {tool.name: [] for tool in tools}
    for round_index in range(rounds):
        offset = round_index % len(tools)
        for tool in (*tools[offset:], *tools[:offset]):
            samples[tool.name].append(time_once(tool))
    return samples


def report(title: str, samples: dict[str, list[float]], baseline: str) -> None:
    """Print medians (ms) and each tool's ratio to ``baseline``."""
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"\n## {title}  (baseline: {baseline}, {len(next(iter(samples.values())))} rounds)")
    print(f"{'tool':<34} {'median ms':>10} {'min ms':>9} {'ratio':>7}")
    for name, values in samples.items():
        ratio = medians[name] / medians[baseline]
        print(f"{name:<34} {medians[name] * 1000:>10.1f} {min(values) * 1000:>9.1f} {ratio:>7.2f}")


def base_python(bin_dir: Path) -> str:
    """The interpreter the bench venv was made from: every tool starts from the same one."""
    return subprocess.run(
        [str(bin_dir / "python"), "-c", "import sys; print(sys._base_executable)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def workload_startup(bin_dir: Path, rounds: int) -> None:
    """``puffin --version`` against bare interpreter start-up, uv and pip."""
    python = str(bin_dir / "python")
    tools = [
        Tool("python -c pass", [python, "-c", "pass"]),
        Tool("puffin --version", [str(bin_dir / "puffin"), "--version"]),
        Tool("uv --version", [str(bin_dir / "uv"), "--version"]),
        Tool("pip --version", [str(bin_dir / "pip"), "--version"]),
    ]
    samples = measure(tools, rounds)
    report("start-up", samples, "puffin --version")
    overhead = statistics.median(samples["puffin --version"]) - statistics.median(
        samples["python -c pass"]
    )
    print(f"puffin --version minus bare python start-up: {overhead * 1000:.1f} ms (goal <= 40 ms)")


def workload_venv(bin_dir: Path, rounds: int) -> None:
    """``puffin venv`` against ``uv venv`` and ``python -m venv --without-pip``."""
    # The base interpreter, not the bench venv's, so all three start from the same python.
    base = base_python(bin_dir)
    scratch = Path(tempfile.mkdtemp(prefix="puffin-bench-venv-"))
    set_aside = SetAside(scratch)
    cache = scratch / "cache"

    def fresh(name: str) -> Callable[[], None]:
        def prepare() -> None:
            set_aside(scratch / name)

        return prepare

    tools = [
        Tool(
            "puffin venv",
            [
                str(bin_dir / "puffin"),
                "--cache-dir",
                str(cache),
                "venv",
                "-p",
                base,
                str(scratch / "puffin"),
            ],
            fresh("puffin"),
        ),
        Tool(
            "uv venv",
            # Both tools keep interpreter information in their caches; both get a warm one.
            [
                str(bin_dir / "uv"),
                "venv",
                "--cache-dir",
                str(scratch / "uv-cache"),
                "-q",
                "-p",
                base,
                str(scratch / "uv"),
            ],
            fresh("uv"),
        ),
        Tool(
            "python -m venv --without-pip",
            [base, "-m", "venv", "--without-pip", str(scratch / "stdlib")],
            fresh("stdlib"),
        ),
    ]
    try:
        report("venv", measure(tools, rounds), "puffin venv")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


REQUIREMENTS = Path(__file__).resolve().parent / "requirements"
SETS = ("small", "web", "datasci")


def chosen_sets() -> tuple[str, ...]:
    """The requirement sets to run: ``--set`` (passed on as PUFFIN_BENCH_SETS), else all."""
    chosen = os.environ.get("PUFFIN_BENCH_SETS")
    return tuple(name for name in SETS if name in chosen.split(",")) if chosen else SETS


def workload_metadata(bin_dir: Path, rounds: int) -> None:
    """Metadata of every pin of a real set (puffin) beside ``uv pip compile`` of the set.

    puffin has no resolver yet, so its side lists every pinned project and fetches the
    metadata of the pinned version's best wheel: the network work a cold resolution of
    the set cannot avoid. ``uv pip compile`` of the same input is the nearest equivalent.
    Cold runs start from an empty cache directory, warm runs from the one the previous
    run of the same tool filled.
    """
    rounds = max(3, rounds // 6)  # cold runs of the large set take seconds each
    scratch = Path(tempfile.mkdtemp(prefix="puffin-bench-metadata-"))
    set_aside = SetAside(scratch)
    driver = Path(__file__).resolve().parent / "puffin_metadata.py"
    python = str(bin_dir / "python")
    try:
        for name in chosen_sets():
            pins = REQUIREMENTS / f"{name}.txt"
            source = REQUIREMENTS / f"{name}.in"
            count = sum(1 for line in pins.read_text().splitlines() if "==" in line)

            def cold(tool: str) -> Callable[[], None]:
                def prepare() -> None:
                    set_aside(scratch / f"{tool}-cold")
                    (scratch / "uv-out.txt").unlink(missing_ok=True)

                return prepare

            def fresh() -> None:
                # An existing -o file is a set of preferences: every run starts without.
                (scratch / "uv-out.txt").unlink(missing_ok=True)

            def puffin(cache: str, pins: Path = pins) -> list[str]:
                return [
                    python,
                    str(driver),
                    str(pins),
                    "-q",
                    "--python-version",
                    "3.11",
                    "--cache-dir",
                    str(scratch / cache),
                ]

            def uv(cache: str, source: Path = source) -> list[str]:
                return [
                    str(bin_dir / "uv"),
                    "pip",
                    "compile",
                    str(source),
                    "-q",
                    "--python-version",
                    "3.11",
                    "--no-header",
                    # Not os.devnull: uv writes -o by renaming a temporary file over it,
                    # which would replace /dev/null with a regular file.
                    "-o",
                    str(scratch / "uv-out.txt"),
                    "--cache-dir",
                    str(scratch / cache),
                ]

            tools = [
                Tool("puffin metadata (cold)", puffin("puffin-cold"), cold("puffin")),
                Tool("uv pip compile (cold)", uv("uv-cold"), cold("uv")),
                Tool("puffin metadata (warm)", puffin("puffin-warm")),
                Tool("uv pip compile (warm)", uv("uv-warm"), fresh),
            ]
            report(
                f"metadata of {name} ({count} pins)",
                measure(tools, rounds, warmup=1),
                "puffin metadata (cold)",
            )
            set_aside(scratch / "puffin-cold")
            for cache in ("puffin-cold", "puffin-warm"):
                out = subprocess.run(
                    puffin(cache), capture_output=True, text=True, check=True, env=BENCH_ENV
                )
                print(f"puffin requests ({cache.split('-')[1]}): {out.stdout.strip()}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def workload_compile(bin_dir: Path, rounds: int) -> None:
    """``puffin pip compile`` beside ``uv pip compile`` and pip-tools' ``pip-compile``.

    Each of the three real sets, cold (empty cache directory) and warm (the cache the
    tool's previous run filled). pip-compile runs fewer rounds: it takes the longest.
    """
    rounds = max(3, rounds // 10)
    scratch = Path(tempfile.mkdtemp(prefix="puffin-bench-compile-"))
    set_aside = SetAside(scratch)
    out = scratch / "out.txt"  # deleted before every run: an existing -o file is a preference
    try:
        for name in chosen_sets():
            source = REQUIREMENTS / f"{name}.in"

            def cold(tool: str) -> Callable[[], None]:
                def prepare() -> None:
                    set_aside(scratch / f"{tool}-cold")
                    out.unlink(missing_ok=True)

                return prepare

            def fresh_output() -> None:
                out.unlink(missing_ok=True)

            def compile_with(executable: str, cache: str, source: Path = source) -> list[str]:
                # puffin and uv share the pip interface: one command line serves both.
                return [
                    str(bin_dir / executable),
                    "pip",
                    "compile",
                    str(source),
                    "-q",
                    "--python-version",
                    "3.11",
                    "-o",
                    str(out),
                    "--cache-dir",
                    str(scratch / cache),
                ]

            def pip_compile(cache: str, source: Path = source) -> list[str]:
                return [
                    str(PIP_TOOLS_VENV / "bin" / "pip-compile"),
                    str(source),
                    "-q",
                    "--no-header",
                    "-o",
                    str(out),
                    "--cache-dir",
                    str(scratch / cache),
                    "--pip-args",
                    f"--cache-dir {scratch / cache}",
                ]

            tools = [
                Tool(
                    "puffin compile (cold)", compile_with("puffin", "puffin-cold"), cold("puffin")
                ),
                Tool("uv compile (cold)", compile_with("uv", "uv-cold"), cold("uv")),
                Tool("puffin compile (warm)", compile_with("puffin", "puffin-warm"), fresh_output),
                Tool("uv compile (warm)", compile_with("uv", "uv-warm"), fresh_output),
            ]
            report(f"compile {name}", measure(tools, rounds, warmup=1), "puffin compile (cold)")
            slow = [
                Tool("pip-compile (warm)", pip_compile("pip-warm"), fresh_output),
                Tool("puffin compile (warm)", compile_with("puffin", "puffin-warm"), fresh_output),
            ]
            report(
                f"compile {name}: pip-tools", measure(slow, 1, warmup=1), "puffin compile (warm)"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def workload_install(bin_dir: Path, rounds: int) -> None:
    """Install a pinned set into a fresh venv (warm and cold cache), and a no-op sync.

    puffin beside ``uv pip install`` / ``uv pip sync`` and pip; ``cp -al`` of an installed
    site-packages is the floor (hard-linking the same files, nothing else).
    """
    rounds = max(3, rounds // 10)
    scratch = Path(tempfile.mkdtemp(prefix="puffin-bench-install-"))
    set_aside = SetAside(scratch)
    base = base_python(bin_dir)
    try:
        for name in chosen_sets():
            pins = str(REQUIREMENTS / f"{name}.txt")

            def fresh_venv(
                tool: str, *, cold: str | None = None, with_pip: bool = False
            ) -> Callable[[], None]:
                def prepare() -> None:
                    set_aside(scratch / f"env-{tool}")
                    if cold:
                        set_aside(scratch / cold)
                    command = [base, "-m", "venv", str(scratch / f"env-{tool}")]
                    if not with_pip:
                        command.append("--without-pip")
                    subprocess.run(command, check=True)

                return prepare

            def install_with(executable: str, tool: str, cache: str, pins: str = pins) -> list[str]:
                # puffin and uv share the pip interface: one command line serves both.
                return [
                    str(bin_dir / executable),
                    "pip",
                    "install",
                    "-q",
                    "-r",
                    pins,
                    "-p",
                    str(scratch / f"env-{tool}"),
                    "--cache-dir",
                    str(scratch / cache),
                ]

            # Fill the warm caches once.
            fresh_venv("puffin-warm")()
            subprocess.run(
                install_with("puffin", "puffin-warm", "puffin-cache"), check=True, env=BENCH_ENV
            )
            fresh_venv("uv-warm")()
            subprocess.run(install_with("uv", "uv-warm", "uv-cache"), check=True, env=BENCH_ENV)
            tools = [
                Tool(
                    "puffin install (warm)",
                    install_with("puffin", "puffin-warm", "puffin-cache"),
                    fresh_venv("puffin-warm"),
                ),
                Tool(
                    "uv pip install (warm)",
                    install_with("uv", "uv-warm", "uv-cache"),
                    fresh_venv("uv-warm"),
                ),
                Tool(
                    "puffin install (cold)",
                    install_with("puffin", "puffin-cold", "puffin-cold-cache"),
                    fresh_venv("puffin-cold", cold="puffin-cold-cache"),
                ),
                Tool(
                    "uv pip install (cold)",
                    install_with("uv", "uv-cold", "uv-cold-cache"),
                    fresh_venv("uv-cold", cold="uv-cold-cache"),
                ),
            ]
            report(f"install {name}", measure(tools, rounds, warmup=0), "puffin install (warm)")
            pip_env = scratch / "env-pip"
            pip_tools = [
                Tool(
                    "pip install (warm)",
                    [
                        str(pip_env / "bin" / "pip"),
                        "install",
                        "-q",
                        "-r",
                        pins,
                        "--cache-dir",
                        str(scratch / "pip-cache"),
                    ],
                    fresh_venv("pip", with_pip=True),
                ),
                Tool(
                    "puffin install (warm)",
                    install_with("puffin", "puffin-warm", "puffin-cache"),
                    fresh_venv("puffin-warm"),
                ),
            ]
            report(f"install {name}: pip", measure(pip_tools, 1, warmup=1), "puffin install (warm)")
            # No-op: the environments are complete now.
            noop = [
                Tool(
                    "puffin pip sync (no-op)",
                    [
                        str(bin_dir / "puffin"),
                        "pip",
                        "sync",
                        "-q",
                        pins,
                        "-p",
                        str(scratch / "env-puffin-warm"),
                        "--cache-dir",
                        str(scratch / "puffin-cache"),
                    ],
                ),
                Tool(
                    "uv pip sync (no-op)",
                    [
                        str(bin_dir / "uv"),
                        "pip",
                        "sync",
                        "-q",
                        pins,
                        "-p",
                        str(scratch / "env-uv-warm"),
                        "--cache-dir",
                        str(scratch / "uv-cache"),
                    ],
                ),
            ]
            report(f"no-op sync {name}", measure(noop, rounds * 3), "puffin pip sync (no-op)")
            site = next((scratch / "env-puffin-warm" / "lib").glob("python*/site-packages"))
            floor = scratch / "floor"
            copy = [
                Tool(
                    "cp -al site-packages (floor)",
                    ["cp", "-al", str(site), str(floor)],
                    lambda floor=floor: set_aside(floor),
                )
            ]
            report(f"link floor {name}", measure(copy, rounds), "cp -al site-packages (floor)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# One line of puffin's -vv log per HTTP exchange (puffin/client/http.py, _log_response):
# "GET <url>[ -> <final url>] <status>[ (cache: miss|revalidated|hit...)][ (no range)] <n>ms".
# A full download of the setuptools wheel is a 200 that did not come from the cache; a 206
# is a range request (reading the wheel's metadata from its zip directory).
SETUPTOOLS_WHEEL_GET = re.compile(
    r"^GET \S*/setuptools-[^/\s]+\.whl(?: -> \S+)? (?P<status>\d{3})(?P<rest>.*)$"
)


def count_setuptools_gets(stderr: str) -> tuple[int, int, int]:
    """(all GETs, full downloads, range requests) of a ``setuptools-*.whl`` in a -vv log."""
    total = downloads = ranges = 0
    for line in stderr.splitlines():
        match = SETUPTOOLS_WHEEL_GET.match(line.strip())
        if match is None:
            continue
        total += 1
        if match["status"] == "200" and "(cache: hit" not in match["rest"]:
            downloads += 1
        elif match["status"] == "206":
            ranges += 1
    return total, downloads, ranges


def workload_sdists(
    bin_dir: Path, rounds: int, *, tools: Sequence[str] = ("puffin", "uv", "pip")
) -> None:
    """Install a set of sdist-only projects (requirements/sdists.txt): every one is built.

    Every run starts from a cold cache (a fresh, empty cache directory for each tool) and a
    fresh venv, so each tool downloads the sdists, sets up isolated build environments
    (fetching setuptools for them) and builds every wheel: puffin beside ``uv pip install``
    and pip. Then one more puffin run at ``-vv`` counts how often it fetched the setuptools
    wheel (once per run is the goal, however many sdists need it).

    Cold builds take seconds each, so at most 3 rounds. ``tools`` picks a subset, e.g. to
    measure uv and pip alone:
    ``python -c "import run; run.workload_sdists(run.ensure_bench_env(), 3, tools=('uv', 'pip'))"``
    from scripts/bench.
    """
    rounds = min(rounds, 3)
    scratch = Path(tempfile.mkdtemp(prefix="puffin-bench-sdists-"))
    set_aside = SetAside(scratch)
    pins = str(REQUIREMENTS / "sdists.txt")
    count = sum(1 for line in Path(pins).read_text().splitlines() if "==" in line)
    base = base_python(bin_dir)

    def cold(tool: str, *, with_pip: bool = False) -> Callable[[], None]:
        def prepare() -> None:
            set_aside(scratch / f"env-{tool}")
            set_aside(scratch / f"{tool}-cache")
            command = [base, "-m", "venv", str(scratch / f"env-{tool}")]
            if not with_pip:
                command.append("--without-pip")
            subprocess.run(command, check=True)

        return prepare

    def puffin(*verbosity: str) -> list[str]:
        return [
            str(bin_dir / "puffin"),
            "pip",
            "install",
            *verbosity,
            "--color",
            "never",
            "-r",
            pins,
            "--python",
            str(scratch / "env-puffin"),
            "--cache-dir",
            str(scratch / "puffin-cache"),
        ]

    available = {
        "puffin": Tool("puffin install sdists (cold)", puffin("-q"), cold("puffin")),
        "uv": Tool(
            "uv pip install sdists (cold)",
            [
                str(bin_dir / "uv"),
                "pip",
                "install",
                "-q",
                "-r",
                pins,
                "--python",
                str(scratch / "env-uv"),
                "--cache-dir",
                str(scratch / "uv-cache"),
            ],
            cold("uv"),
        ),
        "pip": Tool(
            "pip install sdists (cold)",
            [
                str(scratch / "env-pip" / "bin" / "pip"),
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                pins,
                "--cache-dir",
                str(scratch / "pip-cache"),
            ],
            cold("pip", with_pip=True),
        ),
    }
    selected = [available[name] for name in tools]
    try:
        report(
            f"install sdists ({count} pins, cold cache)",
            measure(selected, rounds, warmup=0),
            selected[0].name,
        )
        if "puffin" in tools:
            cold("puffin")()
            run = subprocess.run(
                puffin("-vv"), capture_output=True, text=True, env=BENCH_ENV, check=False
            )
            total, downloads, ranges = count_setuptools_gets(run.stderr)
            status = "" if run.returncode == 0 else f" (puffin failed: exit {run.returncode})"
            print(
                f"puffin GETs of setuptools-*.whl in one cold run: {total} "
                f"(full downloads: {downloads}, range requests: {ranges}){status}"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


WORKLOADS: dict[str, Callable[[Path, int], None]] = {
    "startup": workload_startup,
    "venv": workload_venv,
    "metadata": workload_metadata,
    "compile": workload_compile,
    "install": workload_install,
    "sdists": workload_sdists,
}


def main() -> None:
    """Parse arguments and run the chosen workloads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--workload", action="append", choices=sorted(WORKLOADS))
    parser.add_argument(
        "--set", action="append", choices=SETS, help="requirement sets (default: all)"
    )
    args = parser.parse_args()
    if args.set:
        os.environ["PUFFIN_BENCH_SETS"] = ",".join(args.set)
    bin_dir = ensure_bench_env()
    versions = subprocess.run(
        [str(bin_dir / "uv"), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    pip_version = subprocess.run(
        [str(bin_dir / "pip"), "--version"], capture_output=True, text=True, check=True
    ).stdout.split(" from ")[0]
    print(f"# puffin benchmarks: {versions}, {pip_version}, {sys.version.split()[0]}")
    for name in args.workload or list(WORKLOADS):
        WORKLOADS[name](bin_dir, args.rounds)


if __name__ == "__main__":
    main()
