"""Resolver scenarios: every ``tests/scenarios/*.toml`` is one small universe of packages,
a set of requirements and options, and the expected outcome of ``puffin pip compile``.

The format is described in ``tests/scenarios/README.md``. For each scenario this module

1. builds the scenario's wheels and sdists with :func:`puffin.testing.dists.make_wheel` /
   :func:`~puffin.testing.dists.make_sdist`, each distinct file once per test session (per
   xdist worker), cached by its build arguments;
2. serves them from a fresh ``local_index`` (PEP 691 JSON with yanked and upload times);
3. writes ``requirements.in`` (and ``constraints.txt``, ``overrides.txt``, an existing
   ``requirements.txt`` output file when the scenario asks for them) into the working
   directory of ``run_puffin``;
4. runs ``puffin pip compile requirements.in --no-header --no-annotate -i <index>
   --python-version X [--python-platform P] [-c ...] [--override ...] [-o ...] <options>``;
5. compares the ``name==version`` pins with ``expected.packages`` (order-insensitive, names
   PEP 503-normalized, versions PEP 440-normalized), or, for unsatisfiable scenarios, the
   exit status (1) and the explanation on stderr.

Run them with ``pytest tests/scenarios -n auto``; select with ``-k`` on the scenario name
(``-k prerelease``). ``test_scenario_files`` checks the TOML files themselves and needs
no resolver.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the dev environment runs 3.11
    import tomli as tomllib

SCENARIO_DIR = Path(__file__).parent
REQUIREMENTS_IN = "requirements.in"
CONSTRAINTS_TXT = "constraints.txt"
OVERRIDES_TXT = "overrides.txt"
OUTPUT_TXT = "requirements.txt"
DEFAULT_PYTHON_VERSION = "3.11"
# Seconds per compile run: every scenario is tiny, so a run this long is a hang.
SCENARIO_TIMEOUT = 120.0

# Placeholders usable in explanations: the interpreter that runs puffin (run_puffin uses
# sys.executable), so that "the current Python version" can be spelled out.
PLACEHOLDERS = {
    "{running_python}": "{}.{}.{}".format(*sys.version_info[:3]),
    "{running_python_minor}": "{}.{}".format(*sys.version_info[:2]),
}

# An explanation may annotate a root requirement with where it came from, e.g.
# "you require b<2.0 (from requirements.in line 2)". Golden `explanation` texts are compared
# with such annotations removed, so they hold whether or not the resolver adds them;
# `explanation_contains` is checked against the text as printed.
_SOURCE_ANNOTATION = re.compile(r"\s*\(from [^()]*? line \d+\)")

_PACKAGE_KEYS = {
    "name",
    "version",
    "requires",
    "requires_python",
    "extras",
    "tag",
    "kind",
    "yanked",
    "upload_time",
    "metadata",
}
_RESOLVE_KEYS = {
    "requirements",
    "constraints",
    "overrides",
    "python_version",
    "python_platform",
    "options",
    "existing_output",
}
_EXPECTED_KEYS = {"satisfiable", "packages", "explanation", "explanation_contains"}
_TOP_KEYS = {"name", "description", "packages", "resolve", "expected"}


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file."""


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Package:
    """One distribution file on the scenario's index."""

    name: str
    version: str
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    extras: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tag: str = "py3-none-any"
    kind: str = "wheel"  # or "sdist"
    yanked: str | None = None  # None: not yanked; a reason ("" for none) otherwise
    upload_time: datetime | None = None
    metadata: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def build_key(self) -> str:
        """A digest of everything that goes into the file (not yanked/upload time, which
        live on the index), so equal packages across scenarios share one build."""
        payload = json.dumps(
            [
                self.kind,
                self.name,
                self.version,
                self.requires,
                self.requires_python,
                self.extras,
                self.tag if self.kind == "wheel" else None,
                self.metadata,
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:20]

    def build(self, dest: Path) -> Path:
        from puffin.testing.dists import make_sdist, make_wheel

        extras = {extra: list(reqs) for extra, reqs in self.extras} or None
        if self.kind == "sdist":
            return make_sdist(
                dest,
                self.name,
                self.version,
                requires_dist=list(self.requires),
                extras=extras,
                requires_python=self.requires_python,
            )
        metadata = {key: list(values) for key, values in self.metadata} or None
        return make_wheel(
            dest,
            self.name,
            self.version,
            requires_dist=list(self.requires),
            requires_python=self.requires_python,
            extras=extras,
            tag=self.tag,
            metadata_extra=metadata,
        )


@dataclass(frozen=True)
class Scenario:
    """One scenario file, parsed and validated."""

    name: str
    description: str
    path: Path
    packages: tuple[Package, ...]
    requirements: tuple[str, ...]
    constraints: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    python_version: str = DEFAULT_PYTHON_VERSION
    python_platform: str | None = None
    options: tuple[str, ...] = ()
    existing_output: str | None = None
    satisfiable: bool = True
    expected_packages: dict[str, str] = field(default_factory=dict)
    explanation: str | None = None
    explanation_contains: tuple[str, ...] = ()

    def compile_args(self, index_url: str) -> list[str]:
        """Arguments after ``pip compile`` (relative file names: run in the scenario dir)."""
        args = [
            REQUIREMENTS_IN,
            "--no-header",
            "--no-annotate",
            "--index-url",
            index_url,
            "--python-version",
            self.python_version,
        ]
        if self.python_platform is not None:
            args += ["--python-platform", self.python_platform]
        if self.constraints:
            args += ["--constraint", CONSTRAINTS_TXT]
        if self.overrides:
            args += ["--override", OVERRIDES_TXT]
        if self.existing_output is not None:
            args += ["--output-file", OUTPUT_TXT]
        args += self.options
        return args

    def write_inputs(self, directory: Path) -> None:
        """Write requirements.in and, when used, the constraints, overrides and output file."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / REQUIREMENTS_IN).write_text("".join(f"{r}\n" for r in self.requirements))
        if self.constraints:
            (directory / CONSTRAINTS_TXT).write_text("".join(f"{c}\n" for c in self.constraints))
        if self.overrides:
            (directory / OVERRIDES_TXT).write_text("".join(f"{o}\n" for o in self.overrides))
        if self.existing_output is not None:
            (directory / OUTPUT_TXT).write_text(self.existing_output)

    def index_attributes(
        self, files: dict[Package, Path]
    ) -> tuple[dict[str, str], dict[str, datetime]]:
        """The ``yanked`` and ``upload_times`` mappings (by file name) for the index."""
        yanked = {files[p].name: p.yanked for p in self.packages if p.yanked is not None}
        times = {files[p].name: p.upload_time for p in self.packages if p.upload_time is not None}
        return yanked, times


# --------------------------------------------------------------------------- parsing


def _fail(path: Path, message: str) -> ScenarioError:
    return ScenarioError(f"{path.name}: {message}")


def _str_list(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{where} must be a list of strings")
    return tuple(value)


def _check_keys(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise _fail(path, f"unknown key(s) in {where}: {', '.join(sorted(unknown))}")


def _parse_time(path: Path, value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise _fail(path, "upload_time must be a TOML datetime or an ISO 8601 string")
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _parse_package(path: Path, index: int, raw: Any) -> Package:
    where = f"packages[{index}]"
    if not isinstance(raw, dict):
        raise _fail(path, f"{where} must be a table")
    _check_keys(path, where, raw, _PACKAGE_KEYS)
    for key in ("name", "version"):
        if not isinstance(raw.get(key), str):
            raise _fail(path, f"{where}.{key} is required and must be a string")
    try:
        Version(raw["version"])
    except InvalidVersion:
        raise _fail(path, f"{where}: invalid version {raw['version']!r}") from None
    requires = _str_list(path, f"{where}.requires", raw.get("requires", []))
    for requirement in requires:
        Requirement(requirement)  # raises on a typo, naming the text
    extras_raw = raw.get("extras", {})
    if not isinstance(extras_raw, dict):
        raise _fail(path, f"{where}.extras must be a table of lists")
    extras = tuple(
        (extra, _str_list(path, f"{where}.extras.{extra}", reqs))
        for extra, reqs in extras_raw.items()
    )
    metadata_raw = raw.get("metadata", {})
    if not isinstance(metadata_raw, dict):
        raise _fail(path, f"{where}.metadata must be a table")
    metadata = tuple(
        (key, (value,) if isinstance(value, str) else _str_list(path, f"{where}.{key}", value))
        for key, value in metadata_raw.items()
    )
    kind = raw.get("kind", "wheel")
    if kind not in ("wheel", "sdist"):
        raise _fail(path, f'{where}.kind must be "wheel" or "sdist"')
    if kind == "sdist" and ("tag" in raw or metadata):
        raise _fail(path, f"{where}: an sdist has no tag and no extra metadata fields")
    yanked = raw.get("yanked")
    if yanked is True:
        yanked = ""
    elif yanked is False:
        yanked = None
    elif yanked is not None and not isinstance(yanked, str):
        raise _fail(path, f"{where}.yanked must be a reason string or a boolean")
    upload = raw.get("upload_time")
    return Package(
        name=raw["name"],
        version=raw["version"],
        requires=requires,
        requires_python=raw.get("requires_python"),
        extras=extras,
        tag=raw.get("tag", "py3-none-any"),
        kind=kind,
        yanked=yanked,
        upload_time=None if upload is None else _parse_time(path, upload),
        metadata=metadata,
    )


def normalize_version(version: str) -> str:
    return str(Version(version))


def parse_scenario(path: Path) -> Scenario:
    """Parse and validate one scenario file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise _fail(path, f"invalid TOML: {error}") from None
    _check_keys(path, "the top level", data, _TOP_KEYS)
    name = data.get("name")
    if name != path.stem:
        raise _fail(path, f"name must equal the file stem {path.stem!r}, got {name!r}")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise _fail(path, "a description is required")
    packages = tuple(_parse_package(path, i, p) for i, p in enumerate(data.get("packages", [])))
    seen: set[tuple[str, str, str, str]] = set()
    for package in packages:
        key = (
            canonicalize_name(package.name),
            normalize_version(package.version),
            package.kind,
            package.tag if package.kind == "wheel" else "",
        )
        if key in seen:
            raise _fail(path, f"duplicate distribution {key}")
        seen.add(key)

    resolve = data.get("resolve")
    if not isinstance(resolve, dict):
        raise _fail(path, "a [resolve] table is required")
    _check_keys(path, "[resolve]", resolve, _RESOLVE_KEYS)
    requirements = _str_list(path, "resolve.requirements", resolve.get("requirements"))
    constraints = _str_list(path, "resolve.constraints", resolve.get("constraints", []))
    overrides = _str_list(path, "resolve.overrides", resolve.get("overrides", []))
    options = _str_list(path, "resolve.options", resolve.get("options", []))
    python_version = resolve.get("python_version", DEFAULT_PYTHON_VERSION)
    python_platform = resolve.get("python_platform")
    existing_output = resolve.get("existing_output")
    if not isinstance(python_version, str):
        raise _fail(path, 'resolve.python_version must be a string such as "3.11"')
    if python_platform is not None and not isinstance(python_platform, str):
        raise _fail(path, "resolve.python_platform must be a string")
    if existing_output is not None and not isinstance(existing_output, str):
        raise _fail(path, "resolve.existing_output must be a string")

    expected = data.get("expected")
    if not isinstance(expected, dict):
        raise _fail(path, "an [expected] table is required")
    _check_keys(path, "[expected]", expected, _EXPECTED_KEYS)
    satisfiable = expected.get("satisfiable")
    if not isinstance(satisfiable, bool):
        raise _fail(path, "expected.satisfiable must be true or false")
    pins_raw = expected.get("packages")
    explanation = expected.get("explanation")
    contains = _str_list(
        path, "expected.explanation_contains", expected.get("explanation_contains", [])
    )
    pins: dict[str, str] = {}
    if satisfiable:
        if not isinstance(pins_raw, dict) or not all(isinstance(v, str) for v in pins_raw.values()):
            raise _fail(path, 'expected.packages must be a table like { a = "1.0" }')
        if explanation is not None or contains:
            raise _fail(path, "a satisfiable scenario has no explanation")
        for pin_name, pin_version in pins_raw.items():
            normalized = canonicalize_name(pin_name)
            if normalized in pins:
                raise _fail(path, f"expected.packages names {normalized} twice")
            pins[normalized] = normalize_version(pin_version)
            available = {
                normalize_version(p.version)
                for p in packages
                if canonicalize_name(p.name) == normalized
            }
            if pins[normalized] not in available:
                raise _fail(path, f"expected {normalized}=={pin_version} is not on the index")
    else:
        if pins_raw is not None:
            raise _fail(path, "an unsatisfiable scenario has no expected.packages")
        if explanation is not None and not isinstance(explanation, str):
            raise _fail(path, "expected.explanation must be a string")
        if explanation is None and not contains:
            raise _fail(path, "an unsatisfiable scenario needs explanation or explanation_contains")
    return Scenario(
        name=name,
        description=description.strip(),
        path=path,
        packages=packages,
        requirements=requirements,
        constraints=constraints,
        overrides=overrides,
        python_version=python_version,
        python_platform=python_platform,
        options=options,
        existing_output=existing_output,
        satisfiable=satisfiable,
        expected_packages=pins,
        explanation=explanation,
        explanation_contains=contains,
    )


def scenario_files() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.toml"))


def load_scenarios() -> list[Scenario]:
    return [parse_scenario(path) for path in scenario_files()]


# --------------------------------------------------------------------------- checking

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\]+)")


def parse_pins(text: str) -> tuple[dict[str, str], list[str]]:
    """``name==version`` lines of a requirements output -> ({normalized name: version},
    [lines that are neither pins, comments, options nor hash continuations])."""
    pins: dict[str, str] = {}
    other: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "-")):
            continue
        match = _PIN.match(line)
        if match is None:
            other.append(line)
            continue
        name, version = canonicalize_name(match[1]), match[2]
        with contextlib.suppress(InvalidVersion):
            version = normalize_version(version)
        if name in pins:
            other.append(line)  # a package pinned twice is an error of its own
        pins[name] = version
    return pins, other


def normalize_text(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space."""
    return " ".join(text.split())


def substitute(text: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text


def check_outcome(
    scenario: Scenario, returncode: int, output: str, stderr: str, describe: str
) -> None:
    """Assert that a compile run (of any tool) ended as the scenario expects."""
    if scenario.satisfiable:
        assert returncode == 0, f"{scenario.name}: expected a resolution\n{describe}"
        pins, other = parse_pins(output)
        assert not other, f"{scenario.name}: unexpected output lines {other}\n{describe}"
        assert pins == scenario.expected_packages, (
            f"{scenario.name}: {scenario.description}\n"
            f"expected {_show(scenario.expected_packages)}\n"
            f"got      {_show(pins)}\n{describe}"
        )
        return
    assert returncode == 1, f"{scenario.name}: expected exit status 1 (unsatisfiable)\n{describe}"
    printed = normalize_text(stderr)
    if scenario.explanation is not None:
        golden = normalize_text(substitute(scenario.explanation))
        unannotated = normalize_text(_SOURCE_ANNOTATION.sub("", stderr))
        assert golden in unannotated, (
            f"{scenario.name}: the explanation differs\n"
            f"expected (whitespace-normalized):\n  {golden}\n{describe}"
        )
    missing = [
        part
        for part in scenario.explanation_contains
        if normalize_text(substitute(part)) not in printed
    ]
    assert not missing, f"{scenario.name}: the explanation lacks {missing}\n{describe}"


def _show(pins: dict[str, str]) -> str:
    return " ".join(f"{name}=={version}" for name, version in sorted(pins.items())) or "(none)"


# --------------------------------------------------------------------------- fixtures


class DistCache:
    """Builds each distinct distribution once, into ``root/<digest>/`` (file names repeat
    across scenarios with different contents, so every build gets its own directory)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._built: dict[str, Path] = {}

    def get(self, package: Package) -> Path:
        key = package.build_key()
        path = self._built.get(key)
        if path is None:
            path = package.build(self.root / key)
            self._built[key] = path
        return path

    def files(self, scenario: Scenario) -> dict[Package, Path]:
        return {package: self.get(package) for package in scenario.packages}


@pytest.fixture(scope="session")
def scenario_dists(tmp_path_factory: pytest.TempPathFactory) -> DistCache:
    """Session-wide (per xdist worker) cache of built scenario distributions."""
    return DistCache(tmp_path_factory.mktemp("scenario-dists"))


def _load_for_parametrize() -> list[Any]:
    try:
        scenarios = load_scenarios()
    except ScenarioError as error:
        # Collection must not die on one bad file: report it as a failing test instead.
        return [pytest.param(error, id="invalid-scenario-file")]
    return [pytest.param(s, id=s.name) for s in scenarios]


SCENARIO_PARAMS = _load_for_parametrize()


# --------------------------------------------------------------------------- tests


def test_scenario_files() -> None:
    """Every scenario file parses and validates; names are unique (they are test ids)."""
    scenarios = load_scenarios()
    names = [s.name for s in scenarios]
    assert len(names) == len(set(names))
    assert len(scenarios) >= 100


@pytest.mark.parametrize("scenario", SCENARIO_PARAMS)
def test_scenario(
    scenario: Scenario | ScenarioError,
    scenario_dists: DistCache,
    local_index: Any,
    run_puffin: Any,
    tmp_path: Path,
) -> None:
    if isinstance(scenario, ScenarioError):
        raise scenario
    files = scenario_dists.files(scenario)
    yanked, upload_times = scenario.index_attributes(files)
    index = local_index(list(files.values()), yanked=yanked, upload_times=upload_times)
    scenario.write_inputs(tmp_path)
    result = run_puffin(
        "pip", "compile", *scenario.compile_args(index.simple_url), timeout=SCENARIO_TIMEOUT
    )
    if result.returncode == 2 and "not implemented" in result.stderr:
        pytest.fail(f"puffin pip compile is not implemented yet\n{result.describe()}")
    output = result.stdout
    if scenario.existing_output is not None and result.returncode == 0:
        output = (tmp_path / OUTPUT_TXT).read_text()
    check_outcome(scenario, result.returncode, output, result.stderr, result.describe())
