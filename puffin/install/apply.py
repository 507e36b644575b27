"""Carrying out a plan on an environment: all of it, or none of it.

Everything that goes (extraneous, or replaced by another version) is first moved into a
stash inside the environment's prefix (a rename on the same file system), then every new
wheel is linked in, several wheels at once. If any install fails, the wheels that did
install are removed again and the stash is put back, so an upgrade never leaves two
versions, or neither; on success the stash is deleted.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from concurrent.futures import Executor

    from puffin.environment.query import Interpreter
    from puffin.types import InstalledDist, Plan, ResolvedDist


class Applied(NamedTuple):
    """What applying a plan changed."""

    changed: int
    """Distributions installed, reinstalled or removed."""
    installed: list[InstalledDist]
    """The distributions now installed by this plan, in plan order."""


def apply_plan(
    plan: Plan,
    unpacked: Mapping[str, Path],
    interpreter: Interpreter,
    *,
    requested: Collection[str],
    link_mode: str,
    jobs: int | None = None,
) -> Applied:
    """Remove what goes and link what comes; undo everything if one install fails.

    :param unpacked: project name -> its wheel unpacked in the cache.
    :param requested: names the user asked for (they get a ``REQUESTED`` file).
    :param jobs: threads that link (default:
        :func:`~puffin.install.wheel.linking_threads`, one per core). Each installs whole
        wheels, and takes over batches of another wheel's files once it has no wheel left.
    """
    from concurrent.futures import ThreadPoolExecutor

    from puffin.install.uninstall import restore_stash, uninstall
    from puffin.install.wheel import linking_threads
    from puffin.types import PlanAction

    scripts = interpreter.paths["scripts"]
    site_packages = interpreter.paths["purelib"]
    leaving = [
        item.installed
        for item in plan.items
        if item.action in (PlanAction.REINSTALL, PlanAction.REMOVE) and item.installed
    ]
    coming = [
        item.wanted
        for item in plan.items
        if item.wanted is not None and item.action is not PlanAction.SATISFIED
    ]
    stash = Path(tempfile.mkdtemp(prefix=".puffin-stash-", dir=interpreter.prefix))
    done: list[InstalledDist] = []
    try:
        for dist in leaving:
            uninstall(dist, site_packages=site_packages, scripts_dir=scripts, stash=stash)
        threads = jobs if jobs is not None else linking_threads()
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            futures = [
                pool.submit(
                    _install_one,
                    dist,
                    unpacked[dist.name],
                    interpreter,
                    _Linking(requested, link_mode, pool),
                )
                for dist in coming
            ]
            failure: BaseException | None = None
            for future in futures:
                try:
                    done.append(future.result())
                except BaseException as error:
                    failure = failure or error
            if failure is not None:
                raise failure
    except BaseException:
        for dist in done:
            # Installed completely (its RECORD is written): remove it again.
            uninstall(dist, site_packages=site_packages, scripts_dir=scripts)
        restore_stash(stash)
        raise
    finally:
        shutil.rmtree(stash, ignore_errors=True)
    removed = sum(1 for item in plan.items if item.action is PlanAction.REMOVE)
    return Applied(len(done) + removed, done)


class _Linking(NamedTuple):
    requested: Collection[str]
    link_mode: str
    executor: Executor


def _install_one(
    dist: ResolvedDist, unpacked: Path, interpreter: Interpreter, linking: _Linking
) -> InstalledDist:
    from puffin.install.link import LinkMode
    from puffin.install.wheel import install_wheel
    from puffin.types import InstalledDist

    requested, link_mode, executor = linking
    scheme = {key: interpreter.paths[key] for key in ("purelib", "platlib", "scripts", "data")}
    # pip's headers directory in a venv: <prefix>/include/site/pythonX.Y/<project>
    headers = interpreter.prefix / "include" / "site" / f"python{interpreter.python_version}"
    files = install_wheel(
        unpacked,
        name=dist.name,
        version=str(dist.version),
        scheme={**scheme, "headers": headers / dist.name},
        interpreter_path=interpreter.sys_executable,
        link_mode=LinkMode(link_mode),
        requested=dist.name in requested,
        direct_url=direct_url_json(dist),
        executor=executor,
    )
    return InstalledDist(
        name=dist.name,
        version=dist.version,
        dist_info=files.dist_info,
        installer="puffin",
        editable=dist.editable,
        requested=dist.name in requested,
        direct_url=dist.url,
    )


def direct_url_json(dist: ResolvedDist) -> str | None:
    """PEP 610 ``direct_url.json`` for a URL, path, git or editable install; None for
    index installs."""
    if dist.url is None:
        return None
    record: dict[str, object]
    if dist.url.startswith("git+"):
        from puffin.vcs.git import GitUrl

        git = GitUrl.parse(dist.url)
        record = {"url": git.repository, "vcs_info": {"vcs": "git", "commit_id": git.rev}}
        if git.subdirectory:
            record["subdirectory"] = git.subdirectory
    elif dist.editable or not dist.files:
        record = {"url": dist.url, "dir_info": {"editable": True} if dist.editable else {}}
    else:
        record = {"url": dist.url, "archive_info": {}}
        sha256 = next((file.hash("sha256") for file in dist.files if file.hash("sha256")), None)
        if sha256:
            record["archive_info"] = {"hashes": {"sha256": sha256}}
    return json.dumps(record)
