"""puffin.vcs.git: git+ URLs parsed, resolved to commits and checked out, with real git."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from puffin.errors import PuffinError
from puffin.vcs.git import GitCheckout, GitError, GitUrl, fetch_git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

# Everything git does in these tests: a fixed identity, no user or system configuration.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "NO_PROXY": "*",
    "no_proxy": "*",
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def commit_file(repo: Path, name: str, text: str, message: str) -> str:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@dataclass
class Origin:
    path: Path
    first: str  # main's first commit, tagged v1-light (lightweight) and v1.0 (annotated)
    feature: str  # the tip of branch feature/x, one commit on top of first
    second: str  # main's tip

    @property
    def url(self) -> str:
        return f"git+{self.path.as_uri()}"


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    path = tmp_path / "origin"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    commit_file(path, "pkg/pyproject.toml", '[project]\nname = "pkg"\n', "project")
    first = commit_file(path, "README", "first\n", "first")
    git(path, "tag", "v1-light")
    git(path, "tag", "-a", "v1.0", "-m", "release 1.0")
    git(path, "checkout", "-q", "-b", "feature/x")
    feature = commit_file(path, "README", "feature\n", "feature")
    git(path, "checkout", "-q", "main")
    second = commit_file(path, "README", "second\n", "second")
    return Origin(path, first, feature, second)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "cache" / "git-v1"
    path.mkdir(parents=True)
    return path


def fetch(
    url: str, cache: Path, *, offline: bool = False, log: list[str] | None = None
) -> GitCheckout:
    return asyncio.run(
        fetch_git(
            GitUrl.parse(url),
            cache,
            offline=offline,
            environ=GIT_ENV,
            log=None if log is None else log.append,
        )
    )


def fetches(log: list[str]) -> list[str]:
    return [line for line in log if line.startswith("Fetching")]


def readme(checkout: GitCheckout) -> str:
    return (checkout.path / "README").read_text()


def checkout_dirs(cache: Path) -> list[Path]:
    return [
        entry
        for entry in (cache / "checkouts").glob("*/*")
        if entry.is_dir() and not entry.name.startswith(".")
    ]


# --- URL parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "repository", "rev", "subdirectory"),
    [
        ("git+https://host/repo.git", "https://host/repo.git", None, None),
        ("git+https://host/repo.git@v1.0", "https://host/repo.git", "v1.0", None),
        (
            "git+https://host/repo.git@v1.0#subdirectory=pkg&egg=name",
            "https://host/repo.git",
            "v1.0",
            "pkg",
        ),
        ("git+https://host/repo.git#egg=name", "https://host/repo.git", None, None),
        ("git+https://host/r.git#egg=name&subdirectory=a/b/", "https://host/r.git", None, "a/b"),
        ("git+http://host:8080/r@feature/x", "http://host:8080/r", "feature/x", None),
        ("git+ssh://git@github.com/o/r.git@v1", "ssh://git@github.com/o/r.git", "v1", None),
        ("git+ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git", None, None),
        (
            "git+https://user:token@host/r.git",
            "https://user:token@host/r.git",
            None,
            None,
        ),
        (
            "git+https://user:token@host/r.git@" + "a" * 40,
            "https://user:token@host/r.git",
            "a" * 40,
            None,
        ),
        ("git+file:///srv/repo@branch", "file:///srv/repo", "branch", None),
        ("git+file://localhost/srv/repo", "file:///srv/repo", None, None),
        ("GIT+HTTPS://host/r.git@abc1234", "https://host/r.git", "abc1234", None),
        ("git+https://host/r.git@refs/pull/1/head", "https://host/r.git", "refs/pull/1/head", None),
        ("git+https://host/r.git#subdirectory=.", "https://host/r.git", None, None),
    ],
)
def test_parse(url: str, repository: str, rev: str | None, subdirectory: str | None) -> None:
    parsed = GitUrl.parse(url)
    assert (parsed.repository, parsed.rev, parsed.subdirectory) == (repository, rev, subdirectory)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("https://host/repo.git", "not a git URL"),
        ("hg+https://host/repo", "not a git URL"),
        ("git+https:/host", "not a git URL"),
        ("git+ftp://host/repo.git", "unsupported scheme"),
        ("git+https://host/repo.git@", "empty revision"),
        ("git+https:///repo.git", "no valid host"),
        ("git+ssh://-oProxyCommand=x/repo", "no valid host"),
        ("git+https://host", "no repository path"),
        ("git+https://host/", "no repository path"),
        ("git+https://host/@v1", "no repository path"),
        ("git+https://host/r.git@-upload-pack=x", "not a valid git"),
        ("git+https://host/r.git@a..b", "not a valid git"),
        ("git+https://host/r.git@a b", "not a valid git"),
        ("git+https://host/r.git@v1*", "not a valid git"),
        ("git+https://host/r.git#subdirectory=", "relative path"),
        ("git+https://host/r.git#subdirectory=../up", "relative path"),
        ("git+https://host/r.git#subdirectory=/abs", "relative path"),
        ("git+file://otherhost/srv/repo", "names a host"),
    ],
)
def test_parse_rejects(url: str, match: str) -> None:
    with pytest.raises(GitError, match=match):
        GitUrl.parse(url)


def test_parse_scp_syntax_has_a_hint() -> None:
    with pytest.raises(GitError, match="scp-like") as info:
        GitUrl.parse("git+git@github.com:o/r.git")
    assert info.value.hint is not None
    assert "git+ssh://" in info.value.hint


def test_parse_errors_redact_the_password() -> None:
    with pytest.raises(GitError) as info:
        GitUrl.parse("git+https://user:s3cret@host/r.git@")
    assert "s3cret" not in str(info.value)
    assert "user:****@host" in str(info.value)
    assert isinstance(info.value, PuffinError)


def test_repr_redacts_the_password() -> None:
    url = GitUrl.parse("git+https://user:s3cret@host/r.git@v1")
    assert "s3cret" not in repr(url)
    assert "user:****@host" in repr(url)


def test_precise() -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert GitUrl.parse("git+https://host/r.git@main").precise(commit) == (
        f"git+https://host/r.git@{commit}"
    )
    assert GitUrl.parse("git+https://host/r.git#egg=x&subdirectory=a/b").precise(commit) == (
        f"git+https://host/r.git@{commit}#subdirectory=a/b"
    )
    assert GitUrl.parse("git+ssh://git@host/r.git").precise(commit) == (
        f"git+ssh://git@host/r.git@{commit}"
    )
    # A precise URL parses back to the same repository, pinned.
    again = GitUrl.parse(GitUrl.parse("git+https://h/r?x=1#subdirectory=p").precise(commit))
    assert (again.repository, again.rev, again.subdirectory) == ("https://h/r?x=1", commit, "p")


def test_cache_key() -> None:
    key = GitUrl.parse("git+https://host/org/repo.git@v1").cache_key
    assert len(key) == 16
    assert int(key, 16) >= 0
    for same in [
        "git+https://host/org/repo",
        "git+https://host/org/repo/",
        "git+https://HOST/org/repo.git/",
        "git+https://user:token@host/org/repo.git@main#subdirectory=x",
    ]:
        assert GitUrl.parse(same).cache_key == key, same
    for other in ["git+https://host/org/other.git", "git+http://host/org/repo.git"]:
        assert GitUrl.parse(other).cache_key != key, other


def test_value_types_are_immutable() -> None:
    url = GitUrl.parse("git+https://host/r.git")
    with pytest.raises(AttributeError):
        url.rev = "x"  # type: ignore[misc]


# --- resolving and checking out ---------------------------------------------------------------


def test_resolve_branches_tags_and_commits(origin: Origin, cache: Path) -> None:
    expected = {
        "": (origin.second, "second\n"),
        "@main": (origin.second, "second\n"),
        "@HEAD": (origin.second, "second\n"),
        "@feature/x": (origin.feature, "feature\n"),
        "@v1-light": (origin.first, "first\n"),
        "@v1.0": (origin.first, "first\n"),
        f"@{origin.feature[:8]}": (origin.feature, "feature\n"),
        f"@{origin.first}": (origin.first, "first\n"),
        f"@{origin.feature.upper()}": (origin.feature, "feature\n"),
    }
    for suffix, (commit, text) in expected.items():
        checkout = fetch(origin.url + suffix, cache)
        assert checkout.commit == commit, suffix
        assert readme(checkout) == text, suffix
        assert checkout.path == cache / "checkouts" / checkout.url.cache_key / commit
        assert checkout.project_dir == checkout.path
    # One tree per commit, shared by every rev that names it.
    assert len(checkout_dirs(cache)) == 3


def test_full_commit_fetched_by_name(origin: Origin, cache: Path) -> None:
    # A fresh cache: the commit is fetched by its name, not found through a branch.
    log: list[str] = []
    checkout = fetch(f"{origin.url}@{origin.feature}", cache, log=log)
    assert readme(checkout) == "feature\n"
    assert len(fetches(log)) == 1


def test_checkout_is_a_git_tree(origin: Origin, cache: Path) -> None:
    checkout = fetch(f"{origin.url}@v1.0", cache)
    assert git(checkout.path, "rev-parse", "HEAD") == origin.first
    assert "v1.0" in git(checkout.path, "tag").split()
    assert git(checkout.path, "status", "--porcelain") == ""
    assert git(checkout.path, "config", "remote.origin.url") == origin.path.as_uri()


def test_subdirectory_and_direct_url_info(origin: Origin, cache: Path) -> None:
    checkout = fetch(f"{origin.url}@v1.0#subdirectory=pkg&egg=pkg", cache)
    assert checkout.project_dir == checkout.path / "pkg"
    assert (checkout.project_dir / "pyproject.toml").is_file()
    assert checkout.direct_url_info() == {
        "vcs": "git",
        "commit_id": origin.first,
        "requested_revision": "v1.0",
    }
    assert checkout.url.precise(checkout.commit) == (
        f"{origin.url}@{origin.first}#subdirectory=pkg"
    )
    assert fetch(origin.url, cache).direct_url_info() == {
        "vcs": "git",
        "commit_id": origin.second,
    }


def test_missing_subdirectory(origin: Origin, cache: Path) -> None:
    with pytest.raises(GitError, match="no directory 'nope'"):
        fetch(f"{origin.url}#subdirectory=nope", cache)


def test_named_ref(origin: Origin, cache: Path) -> None:
    git(origin.path, "update-ref", "refs/pull/7/head", origin.feature)
    checkout = fetch(f"{origin.url}@refs/pull/7/head", cache)
    assert checkout.commit == origin.feature


def test_moved_branch_is_fetched(origin: Origin, cache: Path) -> None:
    assert fetch(f"{origin.url}@main", cache).commit == origin.second
    third = commit_file(origin.path, "README", "third\n", "third")
    checkout = fetch(f"{origin.url}@main", cache)
    assert checkout.commit == third
    assert readme(checkout) == "third\n"
    # A moved tag is picked up too (tags are fetched with force).
    git(origin.path, "tag", "-f", "v1-light", third)
    assert fetch(f"{origin.url}@v1-light", cache).commit == third


def test_deleted_branch_is_pruned(origin: Origin, cache: Path) -> None:
    assert fetch(f"{origin.url}@feature/x", cache).commit == origin.feature
    git(origin.path, "branch", "-D", "feature/x")
    with pytest.raises(GitError, match="no branch or tag named 'feature/x'"):
        fetch(f"{origin.url}@feature/x", cache)


def test_unknown_revs(origin: Origin, cache: Path) -> None:
    with pytest.raises(GitError, match="no branch or tag named 'nope'") as info:
        fetch(f"{origin.url}@nope", cache)
    assert origin.path.as_uri() in str(info.value)
    with pytest.raises(GitError, match="no branch, tag or commit named 'deadbeef'"):
        fetch(f"{origin.url}@deadbeef", cache)
    with pytest.raises(GitError, match="no branch, tag or commit named '0000000000"):
        fetch(f"{origin.url}@{'0' * 40}", cache)


# --- cache reuse and offline ------------------------------------------------------------------


def test_pinned_commit_reuses_the_cache(origin: Origin, cache: Path) -> None:
    log: list[str] = []
    first = fetch(f"{origin.url}@{origin.first}", cache, log=log)
    assert len(fetches(log)) == 1
    fetch_head = cache / "db" / first.url.cache_key / "FETCH_HEAD"
    mtime = fetch_head.stat().st_mtime_ns

    log.clear()
    again = fetch(f"{origin.url}@{origin.first}", cache, log=log)
    assert again == first
    assert fetches(log) == []
    assert fetch_head.stat().st_mtime_ns == mtime

    # A commit the mirror has from an earlier branch fetch needs no fetch either, even
    # though it has no checkout yet, and even when the origin is gone.
    shutil.rmtree(fetch(f"{origin.url}@main", cache).path)
    shutil.rmtree(origin.path)
    log.clear()
    checkout = fetch(f"{origin.url}@{origin.second}", cache, log=log)
    assert readme(checkout) == "second\n"
    assert fetches(log) == []
    assert any(line.startswith("Checking out") for line in log)


def test_branch_fetches_every_time(origin: Origin, cache: Path) -> None:
    log: list[str] = []
    fetch(f"{origin.url}@main", cache, log=log)
    fetch(f"{origin.url}@main", cache, log=log)
    assert len(fetches(log)) == 2


def test_offline(origin: Origin, cache: Path) -> None:
    fetch(f"{origin.url}@main", cache)
    fetch(f"{origin.url}@v1.0", cache)
    commit_file(origin.path, "README", "third\n", "third")
    shutil.rmtree(origin.path)  # any attempt at the network would now fail

    log: list[str] = []
    # The mirror's last known refs, without fetching.
    assert fetch(f"{origin.url}@main", cache, offline=True, log=log).commit == origin.second
    assert fetch(f"{origin.url}@v1.0", cache, offline=True, log=log).commit == origin.first
    pinned = fetch(f"{origin.url}@{origin.first}", cache, offline=True, log=log)
    assert readme(pinned) == "first\n"
    assert fetches(log) == []

    # Only the refs fetched before are known: a branch never asked for is not.
    with pytest.raises(GitError, match="offline") as info:
        fetch(f"{origin.url}@feature/x", cache, offline=True)
    assert "'feature/x'" in str(info.value)
    assert info.value.hint is not None
    with pytest.raises(GitError, match="offline"):
        fetch(f"{origin.url}@{'1' * 40}", cache, offline=True)


def test_offline_with_an_empty_cache(origin: Origin, cache: Path) -> None:
    with pytest.raises(GitError, match="offline"):
        fetch(origin.url, cache, offline=True)


# --- failures ---------------------------------------------------------------------------------


def test_bad_repository_redacts_the_password(cache: Path) -> None:
    # Port 9 (discard) on localhost: refused at once, no network needed.
    url = "git+https://user:s3cret@127.0.0.1:9/nope.git@main"
    with pytest.raises(GitError) as info:
        fetch(url, cache)
    message = str(info.value)
    assert "https://user:****@127.0.0.1:9/nope.git" in message
    assert "s3cret" not in message
    assert "git fetch" in message


def test_token_user_is_redacted_in_logs(cache: Path) -> None:
    log: list[str] = []
    with pytest.raises(GitError) as info:
        fetch("git+https://ghp_tokentoken@127.0.0.1:9/r.git", cache, log=log)
    assert "ghp_tokentoken" not in str(info.value)
    assert log
    assert not any("ghp_tokentoken" in line for line in log)


def test_missing_repository(tmp_path: Path, cache: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(GitError, match="git fetch") as info:
        fetch(f"git+{missing.as_uri()}@main", cache)
    assert missing.as_uri() in str(info.value)
    # git's own words follow.
    assert "does not appear to be a git repository" in str(info.value)


def test_git_not_on_path(origin: Origin, cache: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    with pytest.raises(GitError, match="not found on PATH") as info:
        asyncio.run(fetch_git(GitUrl.parse(origin.url), cache, environ={"PATH": str(empty)}))
    assert info.value.hint is not None
    assert "install git" in info.value.hint


def test_repository_variables_of_the_caller_are_ignored(
    origin: Origin, cache: Path, tmp_path: Path
) -> None:
    # As inside a git hook: GIT_DIR and GIT_WORK_TREE point at some other repository.
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    environ = {**GIT_ENV, "GIT_DIR": str(other / ".git"), "GIT_WORK_TREE": str(other)}
    checkout = asyncio.run(fetch_git(GitUrl.parse(origin.url), cache, environ=environ))
    assert checkout.commit == origin.second


def test_no_temporary_directories_left(origin: Origin, cache: Path) -> None:
    fetch(origin.url, cache)
    with pytest.raises(GitError):
        fetch(f"{origin.url}#subdirectory=nope", cache)
    leftovers = [path for path in cache.rglob(".tmp-*")]
    assert leftovers == []


# --- submodules -------------------------------------------------------------------------------


def test_submodules(tmp_path: Path, cache: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q", "-b", "main")
    commit_file(sub, "data.txt", "from the submodule\n", "sub")
    parent = tmp_path / "parent"
    parent.mkdir()
    git(parent, "init", "-q", "-b", "main")
    git(parent, "-c", "protocol.file.allow=always", "submodule", "add", "-q", "../sub", "vendor")
    git(parent, "commit", "-q", "-m", "add submodule")

    checkout = fetch(f"git+{parent.as_uri()}", cache)
    assert (checkout.path / "vendor" / "data.txt").read_text() == "from the submodule\n"

    # Offline, a checkout that needs its submodules cannot be made...
    git(parent, "commit", "-q", "--allow-empty", "-m", "again")
    fetch(f"git+{parent.as_uri()}@main", cache)  # fetches the new commit and checks it out
    head = git(parent, "rev-parse", "HEAD")
    shutil.rmtree(cache / "checkouts" / checkout.url.cache_key / head)
    with pytest.raises(GitError, match="submodules"):
        fetch(f"git+{parent.as_uri()}@{head}", cache, offline=True)
    # ...but one made before is used.
    again = fetch(f"git+{parent.as_uri()}@{checkout.commit}", cache, offline=True)
    assert again.path == checkout.path


# --- concurrency ------------------------------------------------------------------------------


def test_concurrent_tasks(origin: Origin, cache: Path) -> None:
    async def main() -> list[GitCheckout]:
        url = GitUrl.parse(f"{origin.url}@feature/x")
        pinned = GitUrl.parse(f"{origin.url}@{origin.feature}")
        return list(
            await asyncio.gather(
                fetch_git(url, cache, environ=GIT_ENV),
                fetch_git(url, cache, environ=GIT_ENV),
                fetch_git(pinned, cache, environ=GIT_ENV),
                fetch_git(pinned, cache, environ=GIT_ENV),
            )
        )

    checkouts = asyncio.run(main())
    assert {checkout.commit for checkout in checkouts} == {origin.feature}
    assert {checkout.path for checkout in checkouts} == {checkouts[0].path}
    assert readme(checkouts[0]) == "feature\n"
    assert checkout_dirs(cache) == [checkouts[0].path]


_FETCHER = """
import asyncio, json, sys
from pathlib import Path
from puffin.vcs.git import GitUrl, fetch_git

checkout = asyncio.run(
    fetch_git(GitUrl.parse(sys.argv[1]), Path(sys.argv[2]), environ=json.loads(sys.argv[3]))
)
print(checkout.commit, checkout.path)
"""


def test_concurrent_processes(origin: Origin, cache: Path) -> None:
    import json

    url = f"{origin.url}@v1.0"
    command = [sys.executable, "-c", _FETCHER, url, str(cache), json.dumps(GIT_ENV)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        outputs.append(stdout.strip())
    expected_path = cache / "checkouts" / GitUrl.parse(url).cache_key / origin.first
    assert outputs == [f"{origin.first} {expected_path}"] * 3
    assert checkout_dirs(cache) == [expected_path]
    assert (expected_path / "README").read_text() == "first\n"


# --- credentials ------------------------------------------------------------------------------


def test_ssh_user_stays_readable() -> None:
    with pytest.raises(GitError) as info:
        GitUrl.parse("git+ssh://git@github.com/o/r.git@")
    assert "ssh://git@github.com/o/r.git" in str(info.value)
    assert "git@github.com" in repr(GitUrl.parse("git+ssh://git@github.com/o/r.git"))


@pytest.mark.parametrize(
    ("repository", "stored"),
    [
        ("https://user:s3cret@host/r.git", "https://host/r.git"),
        ("https://token@host/r.git", "https://host/r.git"),
        ("https://host/r.git", "https://host/r.git"),
        ("ssh://git@host/r.git", "ssh://git@host/r.git"),
        ("ssh://git:s3cret@host/r.git", "ssh://git@host/r.git"),
    ],
)
def test_checkout_origin_has_no_credentials(repository: str, stored: str) -> None:
    from puffin.vcs.git import _strip_userinfo

    assert _strip_userinfo(repository) == stored


def test_mirror_stores_no_url(origin: Origin, cache: Path) -> None:
    checkout = fetch(origin.url, cache)
    config = (cache / "db" / checkout.url.cache_key / "config").read_text()
    assert "url" not in config
