"""Source builds end to end: real sdists, real backends (setuptools, hatchling, flit_core)
whose wheels a local index serves, real isolated build environments, real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from puffin.testing import installed_versions


@pytest.fixture
def backends(backend_wheels) -> list[Path]:
    return backend_wheels


def installed(venv: Path) -> dict[str, str]:
    return installed_versions(venv)


def python(venv: Path, code: str) -> str:
    return subprocess.run(
        [venv / "bin" / "python", "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def gets(index, suffix: str) -> int:
    """How many successful GETs of files whose path ends with ``suffix`` the index served."""
    return sum(
        1
        for record in index.requests
        if record.method == "GET" and record.path.endswith(suffix) and record.status in (200, 206)
    )


def setuptools_wheel(backends: list[Path]) -> str:
    return next(path.name for path in backends if path.name.startswith("setuptools-"))


def test_ten_sdists_share_one_setuptools(
    run_puffin, venv, local_index, make_sdist, backends
) -> None:
    sdists = [make_sdist(f"st{n}", "1.0") for n in range(6)]
    sdists += [make_sdist(f"hat{n}", "1.0", backend="hatchling") for n in range(2)]
    sdists += [make_sdist(f"flit{n}", "1.0", backend="flit_core") for n in range(2)]
    index = local_index([*sdists, *backends])
    names = [f"st{n}" for n in range(6)] + ["hat0", "hat1", "flit0", "flit1"]
    result = run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, *names, "-vv", "--build-jobs", "4"
    )
    result.assert_ok()
    assert installed(venv) == dict.fromkeys(names, "1.0")
    assert python(venv, "import st3, hat1, flit0; print(st3.__version__)") == "1.0"
    wheel = setuptools_wheel(backends)
    assert gets(index, f"/{wheel}") == 1, "setuptools' wheel is fetched once for six builds"
    assert gets(index, f"/{wheel}.metadata") <= 1, "and its metadata at most once"
    environments = [line for line in result.stderr.splitlines() if "build environment" in line]
    setuptools_envs = [line for line in environments if "setuptools==" in line]
    assert len(setuptools_envs) == 1, environments
    assert result.stderr.count("Built st") == 6


def test_top_level_setuptools_beside_sdists_that_need_it(
    run_puffin, venv, local_index, make_sdist, backends
) -> None:
    index = local_index([make_sdist("alpha", "1.0"), make_sdist("beta", "2.0"), *backends])
    args = ("pip", "install", "-p", venv, "-i", index.simple_url, "setuptools", "alpha", "beta")
    run_puffin(*args).assert_ok()
    versions = installed(venv)
    assert versions["alpha"] == "1.0" and versions["beta"] == "2.0"
    assert "setuptools" in versions
    assert gets(index, f"/{setuptools_wheel(backends)}") == 1
    again = run_puffin(*args, "--reinstall", "-v")
    again.assert_ok()
    assert installed(venv) == versions
    assert "Built" not in again.stderr, "the second install uses the built-wheel cache"
    assert " - alpha==1.0" in again.stderr and " + alpha==1.0" in again.stderr


def test_metadata_build_for_dynamic_dependencies(
    run_puffin, tmp_path, local_index, make_sdist, make_wheel, backends
) -> None:
    dynamic = make_sdist("dyn", "1.0", requires_dist=["dep>=2"], dynamic=["Requires-Dist"])
    index = local_index([dynamic, make_wheel("dep", "1.0"), make_wheel("dep", "2.0"), *backends])
    (tmp_path / "req.in").write_text("dyn\n")
    result = run_puffin("pip", "compile", "req.in", "-i", index.simple_url, "-v")
    result.assert_ok()
    assert "dep==2.0" in result.stdout and "dyn==1.0" in result.stdout
    assert "Built metadata of dyn==1.0" in result.stderr
    assert not any(
        record.path.endswith(".whl") and "dyn" in record.path for record in index.requests
    )
    refused = run_puffin("pip", "compile", "req.in", "-i", index.simple_url, "--no-build")
    refused.assert_failed()
    assert "dyn" in refused.stderr and "building is not allowed" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_direct_sdist_is_built_only_when_its_dependencies_are_dynamic(
    run_puffin, tmp_path, local_index, make_sdist, make_wheel, backends
) -> None:
    """``name @ url`` archives follow the index's rule: PKG-INFO when PEP 643 vouches for
    its dependencies, a metadata build otherwise."""
    index = local_index([make_wheel("dep", "1.0"), make_wheel("dep", "2.0"), *backends])
    static = make_sdist("fixed", "1.0", requires_dist=["dep<2"])
    dynamic = make_sdist("moving", "1.0", requires_dist=["dep>=2"], dynamic=["Requires-Dist"])
    for sdist, pin, built in ((static, "dep==1.0", False), (dynamic, "dep==2.0", True)):
        name = sdist.name.split("-")[0]
        (tmp_path / "req.in").write_text(f"{name} @ {sdist.as_uri()}\n")
        result = run_puffin("pip", "compile", "req.in", "-i", index.simple_url, "-v")
        result.assert_ok()
        assert pin in result.stdout, result.stdout
        assert (f"Built metadata of {name}" in result.stderr) is built, result.stderr


def test_build_requirement_conflict_names_the_sdist(
    run_puffin, venv, local_index, make_sdist, make_wheel, backends
) -> None:
    bad = make_sdist("needsold", "1.0", build_requires=["setuptools<1"])
    index = local_index([bad, make_wheel("fine", "1.0"), *backends])
    result = run_puffin("pip", "install", "-p", venv, "-i", index.simple_url, "fine", "needsold")
    result.assert_failed()
    assert "cannot build needsold==1.0" in result.stderr
    assert "setuptools<1" in result.stderr
    assert "Traceback" not in result.stderr
    assert "fine" not in installed(venv), "nothing is installed when a build fails"


def test_failing_build_names_package_phase_and_log(
    run_puffin, venv, local_index, make_sdist, backends
) -> None:
    setup = "import sys\nprint('line of output')\nsys.exit('this project cannot be built')\n"
    broken = make_sdist(
        "broken",
        "1.0",
        backend="setuptools",
        files={"setup.py": setup, "broken/__init__.py": ""},
    )
    index = local_index([broken, make_sdist("good", "1.0"), *backends])
    result = run_puffin("pip", "install", "-p", venv, "-i", index.simple_url, "good", "broken")
    result.assert_failed()
    assert "failed to build broken==1.0" in result.stderr
    assert "this project cannot be built" in result.stderr
    assert "full log:" in result.stderr
    log = Path(result.stderr.split("full log:")[1].split()[0])
    assert "line of output" in log.read_text()
    assert "Traceback (most recent call last)" not in result.stderr.split("full log:")[0][:200]
    assert "good" not in installed(venv) and "broken" not in installed(venv)


def test_build_constraint_pins_the_build_environment_only(
    run_puffin, venv, tmp_path, local_index, make_sdist, backends
) -> None:
    index = local_index([make_sdist("pinned", "1.0"), *backends])
    (tmp_path / "build-constraints.txt").write_text("setuptools<1\n")
    refused = run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, "pinned",
        "--build-constraint", "build-constraints.txt",
    )  # fmt: skip
    refused.assert_failed()
    assert "cannot build pinned==1.0" in refused.stderr and "setuptools" in refused.stderr
    version = setuptools_wheel(backends).split("-")[1]
    (tmp_path / "build-constraints.txt").write_text(f"setuptools=={version}\n")
    run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, "pinned",
        "--build-constraint", "build-constraints.txt",
    ).assert_ok()  # fmt: skip
    assert installed(venv) == {"pinned": "1.0"}, "build requirements stay out of the target"


def test_no_binary_builds_from_source_and_only_binary_refuses(
    run_puffin, venv, local_index, make_sdist, make_wheel, backends
) -> None:
    index = local_index([make_wheel("both", "1.0"), make_sdist("both", "1.0"), *backends])
    index.add(make_sdist("onlysource", "1.0"))
    result = run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, "both", "--no-binary", "both", "-v"
    )
    result.assert_ok()
    assert "Built both==1.0" in result.stderr
    assert not any(record.path.endswith("both-1.0-py3-none-any.whl") for record in index.requests)
    refused = run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, "onlysource",
        "--only-binary", ":all:",
    )  # fmt: skip
    refused.assert_failed()
    assert "onlysource" in refused.stderr and "building is not allowed" in refused.stderr


def test_no_build_isolation_uses_the_target_environment(
    run_puffin, venv, local_index, make_sdist, backends
) -> None:
    index = local_index([make_sdist("plain", "1.0"), *backends])
    args = ("pip", "install", "-p", venv, "-i", index.simple_url, "--no-build-isolation")
    missing = run_puffin(*args, "plain")
    missing.assert_failed()
    assert "failed to build plain==1.0" in missing.stderr
    assert "not importable" in missing.stderr
    run_puffin("pip", "install", "-p", venv, "-i", index.simple_url, "setuptools").assert_ok()
    run_puffin(*args, "plain").assert_ok()
    assert installed(venv)["plain"] == "1.0"


def test_cycle_in_build_requirements_is_an_error(
    run_puffin, venv, local_index, make_sdist, backends
) -> None:
    first = make_sdist("first", "1.0", build_requires=["setuptools", "second"])
    second = make_sdist("second", "1.0", build_requires=["setuptools", "first"])
    index = local_index([first, second, *backends])
    result = run_puffin("pip", "install", "-p", venv, "-i", index.simple_url, "first")
    result.assert_failed()
    assert "cycle in build requirements" in result.stderr
    assert "Traceback" not in result.stderr


def test_local_directory_is_rebuilt_only_when_its_files_change(
    run_puffin, venv, tmp_path, local_index, backends
) -> None:
    index = local_index(backends)
    project = tmp_path / "project"
    (project / "localpkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "localpkg"
            version = "1.0"
            [tool.setuptools]
            packages = ["localpkg"]
            """
        )
    )
    (project / "localpkg" / "__init__.py").write_text("VALUE = 1\n")
    args = ("pip", "install", "-p", venv, "-i", index.simple_url, "./project", "-v")
    first = run_puffin(*args)
    first.assert_ok()
    assert "Built localpkg" in first.stderr
    assert python(venv, "import localpkg; print(localpkg.VALUE)") == "1"
    direct = json.loads(
        next((venv / "lib").glob("python*/site-packages/localpkg-1.0.dist-info"))
        .joinpath("direct_url.json")
        .read_text()
    )
    assert direct == {"url": project.as_uri(), "dir_info": {}}
    unchanged = run_puffin(*args)
    unchanged.assert_ok()
    assert "Built localpkg" not in unchanged.stderr
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('version = "1.0"', 'version = "1.0"\ndescription = "x"')
    )
    (project / "localpkg" / "__init__.py").write_text("VALUE = 2\n")
    edited = run_puffin(*args)
    edited.assert_ok()
    assert "Built localpkg" in edited.stderr
    assert python(venv, "import localpkg; print(localpkg.VALUE)") == "2"


def test_archive_url_with_hash_and_unnamed_path(
    run_puffin, venv, tmp_path, local_index, make_sdist, backends
) -> None:
    import hashlib

    index = local_index(backends)
    sdist = make_sdist("archived", "3.0")
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url,
        f"archived @ {sdist.as_uri()}#sha256={digest}",
    ).assert_ok()  # fmt: skip
    assert installed(venv) == {"archived": "3.0"}
    served = local_index([make_sdist("remote", "4.0")])
    remote_digest = hashlib.sha256(
        (served.builder.files_dir / "remote-4.0.tar.gz").read_bytes()
    ).hexdigest()
    run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url,
        f"remote @ {served.url}/files/remote-4.0.tar.gz#sha256={remote_digest}",
    ).assert_ok()  # fmt: skip
    assert installed(venv)["remote"] == "4.0"
    other = make_sdist("unnamed", "0.5")
    run_puffin("pip", "install", "-p", venv, "-i", index.simple_url, str(other)).assert_ok()
    assert installed(venv)["unnamed"] == "0.5"
    wrong = run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url,
        f"archived @ {sdist.as_uri()}#sha256={'0' * 64}", "--reinstall",
    )  # fmt: skip
    wrong.assert_failed()
    assert "hash mismatch" in wrong.stderr


def test_a_local_file_rebuilt_in_place_is_read_again(
    run_puffin, venv, tmp_path, local_index, make_sdist, make_wheel, backends
) -> None:
    """A local archive's cache entries follow its size and modification time: rebuilt
    under the same name and version, its new content and metadata are what install."""
    import shutil

    index = local_index([make_wheel("dep", "1.0"), *backends])
    dist = tmp_path / "dist"
    dist.mkdir()
    # make_sdist writes both builds to one path: each is copied before the next.
    first = make_sdist("inplace", "1.0", files={"inplace/__init__.py": "VALUE = 'first'\n"})
    archive = dist / first.name
    shutil.copyfile(first, archive)
    install = ("pip", "install", "-p", venv, "-i", index.simple_url, str(archive))
    run_puffin(*install).assert_ok()
    assert python(venv, "import inplace; print(inplace.VALUE)") == "first"
    second = make_sdist(
        "inplace", "1.0", requires_dist=["dep"], files={"inplace/__init__.py": "VALUE = 'second'\n"}
    )
    archive.unlink()
    shutil.copyfile(second, archive)
    run_puffin(*install, "--reinstall").assert_ok()
    assert python(venv, "import inplace; print(inplace.VALUE)") == "second"
    assert installed(venv)["dep"] == "1.0", "the new PKG-INFO's dependency"
    # The same for a wheel in a --find-links directory, whose metadata is cached too.
    links = tmp_path / "links"
    links.mkdir()
    wheel = links / "wheeled-1.0-py3-none-any.whl"
    shutil.copyfile(make_wheel("wheeled", "1.0"), wheel)
    shutil.copyfile(make_wheel("wdep", "1.0"), links / "wdep-1.0-py3-none-any.whl")
    from_links = ("pip", "install", "-p", venv, "--no-index", "--find-links", links, "wheeled")
    run_puffin(*from_links).assert_ok()
    assert "wdep" not in installed(venv)
    wheel.unlink()
    shutil.copyfile(make_wheel("wheeled", "1.0", requires_dist=["wdep"]), wheel)
    run_puffin(*from_links, "--reinstall-package", "wheeled").assert_ok()
    assert installed(venv)["wdep"] == "1.0", "the rebuilt wheel's new dependency"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_git_repository_by_branch_tag_and_commit(
    run_puffin, venv, tmp_path, local_index, backends
) -> None:
    index = local_index(backends)
    repo = tmp_path / "repo"
    (repo / "sub" / "gitpkg").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    pyproject = textwrap.dedent(
        """
        [build-system]
        requires = ["setuptools"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "gitpkg"
        version = "{version}"
        [tool.setuptools]
        packages = ["gitpkg"]
        """
    )
    for version in ("1.0", "2.0"):
        (repo / "sub" / "pyproject.toml").write_text(pyproject.format(version=version))
        (repo / "sub" / "gitpkg" / "__init__.py").write_text(f"VERSION = {version!r}\n")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", version)
        _git(repo, "tag", f"v{version}")
    first = _git(repo, "rev-parse", "v1.0")
    _git(repo, "branch", "feature", first)
    base = f"git+{repo.as_uri()}"
    cases = {
        f"{base}@v1.0#subdirectory=sub": "1.0",
        f"gitpkg @ {base}@main#subdirectory=sub": "2.0",
        f"{base}@feature#subdirectory=sub": "1.0",
        f"{base}@{first}#subdirectory=sub": "1.0",
    }
    for requirement, version in cases.items():
        run_puffin(
            "pip", "install", "-p", venv, "-i", index.simple_url, requirement, "--reinstall"
        ).assert_ok()  # fmt: skip
        assert python(venv, "import gitpkg; print(gitpkg.VERSION)") == version, requirement
    info = next((venv / "lib").glob("python*/site-packages/gitpkg-1.0.dist-info"))
    direct = json.loads((info / "direct_url.json").read_text())
    assert direct["vcs_info"] == {"vcs": "git", "commit_id": first}
    assert direct["subdirectory"] == "sub"
    (tmp_path / "req.in").write_text(f"{base}@v1.0#subdirectory=sub\n")
    compiled = run_puffin("pip", "compile", "req.in", "-i", index.simple_url, "--no-header")
    compiled.assert_ok()
    assert f"gitpkg @ {base}@{first}#subdirectory=sub" in compiled.stdout


def test_a_plugin_supplies_the_build_environment(
    run_puffin, venv, tmp_path, local_index, make_sdist, backends
) -> None:
    index = local_index([make_sdist("viaplugin", "1.0"), *backends])
    (tmp_path / "recording_env.py").write_text(
        textwrap.dedent(
            """
            import json, os
            from puffin.plugin import hookimpl

            class RecordingEnvironment:
                def __init__(self, python):
                    self._python = python

                @property
                def python_executable(self):
                    return self._python

                def make_extra_environ(self):
                    return None

                async def install(self, requirements):
                    with open(os.environ["RECORDING_LOG"], "a") as log:
                        log.write(json.dumps(list(requirements)) + "\\n")

            @hookimpl
            def puffin_build_env(request, ctx):
                return RecordingEnvironment(os.environ["RECORDING_PYTHON"])
            """
        )
    )
    log = tmp_path / "installs.jsonl"
    result = run_puffin(
        "-p", "recording_env", "pip", "install", "-p", venv, "-i", index.simple_url, "viaplugin",
        env={"PYTHONPATH": str(tmp_path), "RECORDING_LOG": str(log),
             "RECORDING_PYTHON": sys.executable},
    )  # fmt: skip
    result.assert_ok()
    assert installed(venv) == {"viaplugin": "1.0"}
    requested = [json.loads(line) for line in log.read_text().splitlines()]
    assert requested[0] == ["setuptools>=61"], "build-system.requires went to the plugin's env"
    assert gets(index, f"/{setuptools_wheel(backends)}") == 0, "puffin built no environment"


def test_build_requirements_are_resolved_for_the_real_interpreter(
    run_puffin, tmp_path, local_index, make_sdist, make_wheel, backends
) -> None:
    # setuptools' wheel requires Python >= 3.10: resolving build requirements for the
    # --python-version 3.8 target instead of the interpreter that builds would fail.
    dynamic = make_sdist("legacyok", "1.0", requires_dist=["dep"], dynamic=["Requires-Dist"])
    index = local_index([dynamic, make_wheel("dep", "1.0"), *backends])
    (tmp_path / "req.in").write_text("legacyok\n")
    result = run_puffin(
        "pip", "compile", "req.in", "-i", index.simple_url, "--python-version", "3.8",
        "-p", sys.executable,
    )  # fmt: skip
    result.assert_ok()
    assert "legacyok==1.0" in result.stdout and "dep==1.0" in result.stdout


def test_dry_run_tells_where_each_package_comes_from(
    run_puffin, venv, local_index, make_sdist, make_wheel, backends
) -> None:
    index = local_index([make_sdist("fromsource", "1.0"), make_wheel("wheeled", "1.0"), *backends])
    args = ("pip", "install", "-p", venv, "-i", index.simple_url)
    dry = run_puffin(*args, "fromsource", "wheeled", "--dry-run")
    dry.assert_ok()
    assert "+ fromsource==1.0 (to build)" in dry.stderr
    assert "+ wheeled==1.0 (to download)" in dry.stderr
    assert installed(venv) == {}
    run_puffin(*args, "wheeled").assert_ok()
    run_puffin("pip", "uninstall", "-p", venv, "wheeled").assert_ok()
    again = run_puffin(*args, "wheeled", "--dry-run")
    assert "+ wheeled==1.0 (from the cache)" in again.stderr


def test_build_jobs_must_be_positive(run_puffin, venv, tmp_path) -> None:
    result = run_puffin("pip", "install", "-p", venv, "--build-jobs", "0", "--no-index", "x")
    result.assert_failed(2)
    assert "--build-jobs 0: must be at least 1" in result.stderr


def test_isolation_and_build_constraints_key_the_built_wheel_cache(
    run_puffin, venv, tmp_path, local_index, make_sdist, backends
) -> None:
    index = local_index([make_sdist("keyed", "1.0"), *backends])
    args = ("pip", "install", "-p", venv, "-i", index.simple_url, "keyed", "--reinstall", "-v")
    first = run_puffin(*args)
    first.assert_ok()
    assert "Built keyed==1.0" in first.stderr
    assert "Built keyed==1.0" not in run_puffin(*args).stderr, "same options: cached"
    version = setuptools_wheel(backends).split("-")[1]
    (tmp_path / "bc.txt").write_text(f"setuptools=={version}\n")
    constrained = run_puffin(*args, "--build-constraint", "bc.txt")
    constrained.assert_ok()
    assert "Built keyed==1.0" in constrained.stderr, "other build constraints: built again"


def test_a_git_checkout_in_the_cache_stays_clean(
    run_puffin, venv, tmp_path, local_index, backends, puffin_cache_dir
) -> None:
    index = local_index(backends)
    repo = tmp_path / "cleanrepo"
    (repo / "cleanpkg").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "cleanpkg"\nversion = "1.0"\n'
        '[tool.setuptools]\npackages = ["cleanpkg"]\n'
    )
    (repo / "cleanpkg" / "__init__.py").write_text("")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")
    run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, f"git+{repo.as_uri()}@main"
    ).assert_ok()  # fmt: skip
    assert installed(venv) == {"cleanpkg": "1.0"}
    (checkout,) = [
        path for path in (puffin_cache_dir / "git-v1" / "checkouts").glob("*/*") if path.is_dir()
    ]
    leftovers = {path.name for path in checkout.iterdir()} - {".git", "cleanpkg"}
    assert leftovers == {"pyproject.toml"}, "no build/ or .egg-info written into the cache"


def test_a_build_sees_every_version_of_a_project_the_install_pins(
    run_puffin, venv, local_index, make_sdist, make_wheel, backends
) -> None:
    # The install pins helper==1.0, so its resolution reads only that version's files;
    # the build environment's resolution shares the listing and needs helper>=2.
    helpers = [make_wheel("helper", version) for version in ("1.0", "2.0", "3.0rc1")]
    app = make_sdist("app", "1.0", build_requires=["setuptools", "helper>=2,<3"])
    index = local_index([app, *helpers, *backends])
    result = run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, "app==1.0", "helper==1.0", "-v"
    )
    result.assert_ok()
    assert "Built app" in result.stderr
    assert installed(venv) == {"app": "1.0", "helper": "1.0"}
    assert gets(index, "/simple/helper/") == 1  # one page, read as far as each needed
