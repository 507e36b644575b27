"""Git sources: ``git+`` URLs resolved to a commit and checked out from a cache.

A requirement such as ``name @ git+https://host/repo.git@v1.0#subdirectory=pkg`` becomes a
:class:`GitUrl`; :func:`fetch_git` resolves its revision to a commit with the system ``git``
and returns a :class:`GitCheckout`, a tree of that commit in the cache.

The cache bucket (``cache_dir``) holds::

    db/<cache_key>/                 a bare repository, the mirror every fetch goes into
    db/<cache_key>.lock             held while fetching into (or creating) that mirror
    checkouts/<cache_key>/<commit>/ a checked-out tree (with its .git), never modified
    checkouts/<cache_key>/<commit>.lock  held while that tree is being created

The mirror keeps the remote's branches as ``refs/remotes/origin/*``, its tags as
``refs/tags/*``, its HEAD as ``refs/puffin/HEAD`` and anything fetched by exact name (a
commit, a ``refs/pull/...`` ref) under ``refs/puffin/``. It never stores the remote's URL,
so credentials in a URL are never written to disk by the mirror.

Checkouts are created in a temporary sibling and renamed into place, so a directory that
exists is complete; other processes simply use it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from puffin._values import value_type
from puffin.cache.lock import FileLock
from puffin.client.redact import redact_text, redact_url
from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    _Log = Callable[[str], None]

__all__ = ["GitCheckout", "GitError", "GitUrl", "fetch_git"]

_SCHEMES = frozenset({"https", "http", "file", "ssh", "git"})

# A full object name: SHA-1 (40) or SHA-256 (64) hex digits.
_FULL_SHA = re.compile(r"[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?")
# What may be an abbreviated commit; git never abbreviates below 4 digits.
_SHORT_SHA = re.compile(r"[0-9a-fA-F]{4,63}")
# Characters git forbids in ref names (git-check-ref-format), plus "*", which would turn our
# refspecs into different patterns, and whitespace or controls, which no real rev has.
_BAD_REV_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")

# Environment variables that point git at a particular repository (``git rev-parse
# --local-env-vars``). Inherited from a hook or a ``git rebase --exec``, they would make
# every command below act on the user's repository instead of the cache; the config
# variables from that list (GIT_CONFIG_PARAMETERS...) are kept, they carry the user's -c.
_REPOSITORY_ENV_VARS = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
)

_STDERR_TAIL_LINES = 12
_STDERR_TAIL_CHARS = 2000


class GitError(PuffinError):
    """A git URL is malformed, or git failed; the message names the (redacted) URL and git's
    stderr tail."""


def _redact(url: str) -> str:
    """``url`` fit for a message: the password (or a lone token) of its userinfo masked.

    A lone user name of an ssh URL (``ssh://git@host/``) is an account, not a token, and
    stays readable.
    """
    parts = urlsplit(url)
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and ":" not in userinfo and parts.scheme.removeprefix("git+") == "ssh":
        return url
    return redact_url(url)


def _secrets(url: str) -> tuple[str, ...]:
    """The secrets in ``url``'s userinfo, to mask wherever git might echo them."""
    parts = urlsplit(url)
    userinfo, at, _ = parts.netloc.rpartition("@")
    if not at:
        return ()
    username, colon, password = userinfo.partition(":")
    if colon:
        return (password, unquote(password)) if password else ()
    if parts.scheme == "ssh":
        return ()
    return (username, unquote(username))


def _check_rev(rev: str, url: str) -> str:
    rev = unquote(rev)
    if not rev:
        raise GitError(f"{_redact(url)} has an empty revision after '@'")
    if (
        rev.startswith(("-", "/", "."))
        or rev.endswith(("/", ".", ".lock"))
        or ".." in rev
        or "//" in rev
        or "@{" in rev
        or _BAD_REV_CHARS.search(rev)
    ):
        raise GitError(f"{rev!r} in {_redact(url)} is not a valid git branch, tag or commit")
    return rev


def _check_subdirectory(value: str, url: str) -> str | None:
    value = unquote(value)
    path = PurePosixPath(value)
    if not value or path.is_absolute() or ".." in path.parts or "\\" in value:
        raise GitError(
            f"subdirectory {value!r} in {_redact(url)} must be a relative path inside the "
            "repository"
        )
    normalized = str(path)
    return None if normalized == "." else normalized


@dataclass(frozen=True, slots=True, repr=False)
class GitUrl:
    """A ``git+`` URL split into what git clones, the revision and the subdirectory.

    ``repository`` may hold credentials (``https://user:token@host/...``); use
    :func:`repr` or the messages of :class:`GitError` for display, both redact them.
    """

    repository: str
    """What git clones: ``https://host/repo.git``, ``file:///abs/repo``, ``ssh://git@host/r``."""
    rev: str | None
    """Branch, tag or commit after the last ``@`` of the path; None means the remote's HEAD."""
    subdirectory: str | None
    """The project's directory inside the repository, from ``#subdirectory=``."""

    @classmethod
    def parse(cls, url: str) -> GitUrl:
        """Parse ``git+<scheme>://[user[:password]@]host/path[@rev][#subdirectory=...]``.

        Schemes: https, http, file, ssh (and git). The fragment may also hold ``egg=name``
        (ignored: the requirement names the project). Raises :class:`GitError` for a URL
        that is not a git URL or has an empty part.
        """
        shown = _redact(url)
        scheme, plus, rest = url.partition("+")
        if not plus or scheme.lower() != "git" or "://" not in rest:
            if plus and scheme.lower() == "git" and re.match(r"[^/:]+@[^/:]+:", rest):
                raise GitError(
                    f"{shown} uses the scp-like syntax, which is ambiguous in a URL",
                    hint="write it as git+ssh://user@host/path (a '/' instead of the ':')",
                )
            raise GitError(f"{shown} is not a git URL (expected git+https://, git+ssh://...)")
        try:
            parts = urlsplit(rest)
        except ValueError as error:
            raise GitError(f"{shown} is not a valid URL: {error}") from None
        scheme = parts.scheme.lower()
        if scheme not in _SCHEMES:
            raise GitError(
                f"{shown} has an unsupported scheme {scheme!r}",
                hint="use git+https://, git+http://, git+ssh:// or git+file://",
            )
        host = parts.netloc.rpartition("@")[2]
        if scheme == "file":
            # file://localhost/abs is the only host a file URL may name; git wants none.
            if host.lower() not in ("", "localhost") or "@" in parts.netloc:
                raise GitError(f"{shown} names a host; a file URL needs file:///absolute/path")
            netloc = ""
        else:
            if not host or host.startswith(("-", ":")):
                # A host starting with "-" would reach ssh as an option.
                raise GitError(f"{shown} has no valid host")
            netloc = parts.netloc

        path = parts.path
        rev: str | None = None
        if "@" in path:
            path, _, raw_rev = path.rpartition("@")
            rev = _check_rev(raw_rev, url)
        if path.strip("/") == "":
            raise GitError(f"{shown} has no repository path")

        subdirectory: str | None = None
        for item in parts.fragment.split("&") if parts.fragment else ():
            key, _, value = item.partition("=")
            if key == "subdirectory":
                subdirectory = _check_subdirectory(value, url)
        repository = f"{scheme}://{netloc}{path}"
        if parts.query:
            repository += f"?{parts.query}"
        return cls(repository=repository, rev=rev, subdirectory=subdirectory)

    def precise(self, commit: str) -> str:
        """``git+<repository>@<commit>`` (plus the subdirectory fragment): this source pinned
        to ``commit``, as written to compile output and ``direct_url.json``.

        The repository is kept as given, credentials included; redact it for display.
        """
        base, question, query = self.repository.partition("?")
        url = f"git+{base}@{commit}{question}{query}"
        if self.subdirectory is not None:
            url += f"#subdirectory={self.subdirectory}"
        return url

    @property
    def cache_key(self) -> str:
        """A short stable digest of the repository, for directory names in the cache.

        Credentials, a trailing ``.git`` or ``/`` and the case of scheme and host do not
        change it, so every spelling of one repository shares one mirror.
        """
        parts = urlsplit(self.repository)
        host = parts.netloc.rpartition("@")[2].lower()
        path = parts.path.rstrip("/").removesuffix(".git").rstrip("/")
        normalized = f"{parts.scheme.lower()}://{host}{path}"
        if parts.query:
            normalized += f"?{parts.query}"
        return hashlib.sha256(normalized.encode()).hexdigest()[:16]

    @property
    def _shown(self) -> str:
        return _redact(self.repository)

    def __repr__(self) -> str:
        # The dataclass repr would print the credentials of the repository URL.
        return (
            f"GitUrl(repository={self._shown!r}, rev={self.rev!r}, "
            f"subdirectory={self.subdirectory!r})"
        )


@value_type
class GitCheckout:
    """A tree of one commit of a git repository, in the cache.

    ``path`` is shared between runs and processes: treat it as read-only (build from a copy
    or out of tree if the build writes into its source).
    """

    url: GitUrl
    """The URL that was fetched (its ``rev`` is what was requested)."""
    commit: str
    """The full hex object name of the commit."""
    path: Path
    """The root of the checked-out tree (which includes ``.git``)."""

    @property
    def project_dir(self) -> Path:
        """The directory of the project: ``path / subdirectory``, or ``path``."""
        if self.url.subdirectory is None:
            return self.path
        return self.path / self.url.subdirectory

    def direct_url_info(self) -> dict[str, object]:
        """The PEP 610 ``vcs_info`` mapping of this checkout."""
        info: dict[str, object] = {"vcs": "git", "commit_id": self.commit}
        if self.url.rev is not None:
            info["requested_revision"] = self.url.rev
        return info


# ---------------------------------------------------------------------------------------------
# Running git


class _Git:
    """The git executable with the environment every command of one fetch runs in."""

    def __init__(self, url: GitUrl, environ: Mapping[str, str] | None) -> None:
        env = dict(os.environ)
        if environ is not None:
            env.update(environ)
        for name in _REPOSITORY_ENV_VARS:
            env.pop(name, None)
        # Never wait for a password on the terminal: fail, and say so. GIT_ASKPASS and
        # credential helpers the user configured keep working.
        env["GIT_TERMINAL_PROMPT"] = "0"
        # Untranslated messages, so the stderr we quote is what people search for.
        env["LC_ALL"] = "C"
        env.pop("LANGUAGE", None)
        self.env = env
        self.url = url
        self.secrets = _secrets(url.repository)
        executable = shutil.which("git", path=env.get("PATH", os.defpath))
        if executable is None:
            raise self._not_found()
        self.executable = executable

    def _not_found(self) -> GitError:
        return GitError(
            f"git is needed for {self.url._shown} but was not found on PATH",
            hint="install git (https://git-scm.com/downloads) or add it to PATH",
        )

    def tail(self, stderr: bytes) -> str:
        """The last lines of git's stderr, with the URL's secrets masked."""
        text = stderr.decode("utf-8", "replace").strip()
        lines = [line.rstrip() for line in text.splitlines() if line.strip()]
        text = "\n".join(lines[-_STDERR_TAIL_LINES:])[-_STDERR_TAIL_CHARS:]
        return redact_text(text, self.secrets)

    async def run(self, *args: str, cwd: Path | None = None) -> tuple[int, str, bytes]:
        """Run ``git *args``; return its exit status, stdout (text) and stderr (bytes)."""
        try:
            process = await asyncio.create_subprocess_exec(
                self.executable,
                *args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self.env,
                cwd=cwd,
            )
        except FileNotFoundError:
            raise self._not_found() from None
        try:
            stdout, stderr = await process.communicate()
        except BaseException:
            # Cancelled (or interrupted): do not leave git running behind us.
            if process.returncode is None:
                process.kill()
                await process.wait()
            raise
        assert process.returncode is not None
        return process.returncode, stdout.decode("utf-8", "replace"), stderr

    async def check(self, *args: str, what: str, cwd: Path | None = None) -> str:
        """Run ``git *args``; raise :class:`GitError` "``what`` failed" unless it succeeds."""
        code, stdout, stderr = await self.run(*args, cwd=cwd)
        if code != 0:
            raise self.error(what, stderr)
        return stdout

    def error(self, what: str, stderr: bytes) -> GitError:
        tail = self.tail(stderr)
        message = f"{what} failed for {self.url._shown}"
        return GitError(f"{message}:\n{tail}" if tail else message)


# ---------------------------------------------------------------------------------------------
# The mirror


def _kind(rev: str | None) -> str:
    """How to fetch and look up ``rev``: head, ref, sha, short or name."""
    if rev is None or rev == "HEAD":
        return "head"
    if rev.startswith("refs/"):
        return "ref"
    if _FULL_SHA.fullmatch(rev):
        return "sha"
    if _SHORT_SHA.fullmatch(rev):
        return "short"
    return "name"


_ALL_REFSPECS = (
    "+refs/heads/*:refs/remotes/origin/*",
    "+refs/tags/*:refs/tags/*",
    "+HEAD:refs/puffin/HEAD",
)


def _refspecs(rev: str | None) -> Sequence[str]:
    kind = _kind(rev)
    if kind == "head":
        return ("+HEAD:refs/puffin/HEAD",)
    assert rev is not None
    if kind == "ref":
        return (f"+{rev}:refs/puffin/{rev}",)
    if kind == "sha":
        return (f"+{rev.lower()}:refs/puffin/commits/{rev.lower()}",)
    if kind == "short":
        # An abbreviated commit can only be found in history we have: take every branch
        # and tag (it may also name a branch or tag, which these cover too).
        return _ALL_REFSPECS
    # A branch or tag name: fetch only the refs starting with it. A pattern that matches
    # nothing is no error (an exact refspec would be), so one round trip covers both kinds,
    # and --prune drops the branches and tags of this pattern deleted upstream.
    return (
        f"+refs/heads/{rev}*:refs/remotes/origin/{rev}*",
        f"+refs/tags/{rev}*:refs/tags/{rev}*",
    )


async def _rev_parse(git: _Git, db: Path, spec: str) -> str | None:
    code, stdout, _ = await git.run(
        # No --end-of-options (git 2.24+): every spec starts with "refs/" or is a checked
        # rev, which never starts with "-".
        f"--git-dir={db}",
        "rev-parse",
        "--verify",
        "--quiet",
        spec,
    )
    if code != 0:
        return None
    return stdout.strip() or None


async def _lookup(git: _Git, db: Path, rev: str | None) -> str | None:
    """The commit ``rev`` names in the mirror: branch, then tag, then commit; or None."""
    kind = _kind(rev)
    if kind == "head":
        return await _rev_parse(git, db, "refs/puffin/HEAD^{commit}")
    assert rev is not None
    if kind == "ref":
        return await _rev_parse(git, db, f"refs/puffin/{rev}^{{commit}}")
    if kind in ("short", "name"):
        for ref in (f"refs/remotes/origin/{rev}", f"refs/tags/{rev}"):
            # ^{commit} peels an annotated tag to the commit it tags.
            commit = await _rev_parse(git, db, f"{ref}^{{commit}}")
            if commit is not None:
                return commit
    if kind in ("short", "sha"):
        commit = await _rev_parse(git, db, f"{rev}^{{commit}}")
        # Only an object name counts here, not some other ref spelled like a hex string.
        if commit is not None and commit.startswith(rev.lower()):
            return commit
    return None


def _mirror_lock(db: Path) -> Path:
    return db.with_name(f"{db.name}.lock")


async def _has_commit(git: _Git, db: Path, sha: str) -> bool:
    if not (db / "HEAD").is_file():
        return False
    code, _, _ = await git.run(f"--git-dir={db}", "cat-file", "-e", f"{sha}^{{commit}}")
    return code == 0


def _remove_stale(parent: Path, prefix: str) -> None:
    """Remove temporary directories a killed process left (the caller holds the lock that
    every writer of such a directory holds, so none of them is in use)."""
    for stale in parent.glob(f"{prefix}*"):
        shutil.rmtree(stale, ignore_errors=True)


async def _ensure_mirror(git: _Git, db: Path) -> None:
    """Create the bare mirror ``db`` unless it exists (the caller holds its lock)."""
    if (db / "HEAD").is_file():
        return
    db.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".tmp-{db.name}-"
    _remove_stale(db.parent, prefix)
    temporary = Path(tempfile.mkdtemp(prefix=prefix, dir=db.parent))
    try:
        await git.check(
            "-c", "init.defaultBranch=main", "init", "--bare", "--quiet", str(temporary),
            what="creating the git cache",
        )  # fmt: skip
        if db.exists():
            # A half-made mirror from before the rename existed: replace it.
            shutil.rmtree(db)
        os.replace(temporary, db)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


async def _fetch(git: _Git, db: Path, refspecs: Sequence[str], what: str, log: _Log) -> None:
    log(f"Fetching {what} of {git.url._shown}")
    await git.check(
        f"--git-dir={db}",
        # No automatic gc or maintenance: git runs them detached in the background, beyond
        # our lock, where they could repack the object store while a clone copies it.
        "-c", "gc.auto=0", "-c", "maintenance.auto=false",
        "fetch", "--quiet", "--no-tags", "--prune", "--",
        git.url.repository, *refspecs,
        what=f"git fetch of {what}",
    )  # fmt: skip


async def _resolve(git: _Git, db: Path, *, offline: bool, log: _Log) -> str:
    """The commit ``git.url.rev`` names, fetching into the mirror unless that is needless
    (a full commit it has) or forbidden (offline)."""
    url = git.url
    rev = url.rev
    kind = _kind(rev)
    what = "HEAD" if rev is None else repr(rev)
    async with FileLock(_mirror_lock(db)):
        await _ensure_mirror(git, db)
        # Checked again under the lock: another process may have fetched it meanwhile.
        if kind == "sha" and rev is not None and await _has_commit(git, db, rev.lower()):
            return rev.lower()
        if offline:
            commit = await _lookup(git, db, rev)
            if commit is None:
                raise GitError(
                    f"cannot resolve {what} of {url._shown} offline: the git cache does not "
                    "know it",
                    hint="run once without --offline to fetch it",
                )
            log(f"Using the cached {what} of {url._shown} (offline)")
            return commit
        try:
            await _fetch(git, db, _refspecs(rev), what, log)
        except GitError:
            if kind != "sha":
                raise
            # Some servers refuse to serve a commit by name; it is in their history
            # anyway if any branch or tag reaches it.
            await _fetch(git, db, _ALL_REFSPECS, "all branches and tags", log)
        commit = await _lookup(git, db, rev)
        if commit is None:
            kinds = "branch, tag or commit" if kind in ("short", "sha") else "branch or tag"
            raise GitError(f"{url._shown} has no {kinds} named {rev!r}")
        return commit


# ---------------------------------------------------------------------------------------------
# Checkouts


def _strip_userinfo(repository: str) -> str:
    """``repository`` without the secrets of its userinfo (fit to be written to disk)."""
    parts = urlsplit(repository)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return repository
    if parts.scheme == "ssh":
        # An ssh user name is no secret, and the server needs it; a password is.
        host = f"{userinfo.partition(':')[0]}@{host}"
    return repository.replace(parts.netloc, host, 1)


async def _create_checkout(
    git: _Git, db: Path, commit: str, destination: Path, *, offline: bool, log: _Log
) -> None:
    """Check ``commit`` out of the mirror into ``destination`` (the caller holds its lock)."""
    url = git.url
    prefix = f".tmp-{commit}-"
    _remove_stale(destination.parent, prefix)
    temporary = Path(tempfile.mkdtemp(prefix=prefix, dir=destination.parent))
    log(f"Checking out {commit[:12]} of {url._shown}")
    try:
        # A clone from a local path hard-links (or copies) the mirror's whole object store,
        # so the commit is there even though the clone copies no ref that reaches it.
        # A shared lock: fetches (exclusive) wait, so no pack is half-written as we copy.
        async with FileLock(_mirror_lock(db), shared=True):
            await git.check(
                "clone", "--quiet", "--no-checkout", "--", str(db), str(temporary),
                what=f"cloning {commit[:12]} from the git cache",
            )  # fmt: skip
        # Point origin at the real repository (without credentials, which would be written
        # to disk): relative submodule URLs resolve against it, and tools reading the
        # checkout's metadata see where it came from.
        await git.check(
            "config", "remote.origin.url", _strip_userinfo(url.repository),
            cwd=temporary, what="configuring the checkout",
        )  # fmt: skip
        await git.check(
            "-c", "advice.detachedHead=false",
            "checkout", "--quiet", "--force", "--detach", commit,
            cwd=temporary, what=f"checking out {commit[:12]}",
        )  # fmt: skip
        if (temporary / ".gitmodules").is_file():
            await _update_submodules(git, temporary, commit, offline=offline, log=log)
        os.replace(temporary, destination)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


async def _update_submodules(
    git: _Git, tree: Path, commit: str, *, offline: bool, log: _Log
) -> None:
    url = git.url
    if offline:
        # Submodules come from their own remotes; a tree without them would be cached as
        # if it were complete.
        raise GitError(
            f"{url._shown} at {commit[:12]} has submodules, which cannot be fetched offline",
            hint="run once without --offline to fetch them",
        )
    log(f"Updating the submodules of {url._shown} at {commit[:12]}")
    options: list[str] = []
    if urlsplit(url.repository).scheme == "file":
        # Git refuses file:// submodules by default (CVE-2022-39253); a local superproject
        # with local submodules is trusted as much as the superproject itself.
        options = ["-c", "protocol.file.allow=always"]
    await git.check(
        *options, "submodule", "update", "--init", "--recursive", "--quiet",
        cwd=tree, what=f"updating the submodules at {commit[:12]}",
    )  # fmt: skip


def _checkout_result(url: GitUrl, commit: str, path: Path) -> GitCheckout:
    checkout = GitCheckout(url=url, commit=commit, path=path)
    if url.subdirectory is not None:
        project = checkout.project_dir
        root = path.resolve()
        resolved = project.resolve()
        if not project.is_dir() or (resolved != root and root not in resolved.parents):
            raise GitError(
                f"{url._shown} has no directory {url.subdirectory!r} at commit {commit[:12]}"
            )
    return checkout


# ---------------------------------------------------------------------------------------------


def _no_log(message: str) -> None:
    pass


async def fetch_git(
    url: GitUrl,
    cache_dir: Path,
    *,
    offline: bool = False,
    environ: Mapping[str, str] | None = None,
    log: Callable[[str], None] | None = None,
) -> GitCheckout:
    """Resolve ``url`` to a commit and return a checkout of it from the cache ``cache_dir``.

    A full commit the cache already has needs no network (and no git, once checked out);
    a branch, tag or HEAD is fetched every time, since it may have moved, unless
    ``offline``: then the refs last fetched are used, and a rev the cache does not know is
    a :class:`GitError`.

    Safe to call concurrently, from tasks and from processes: fetches into one mirror take
    turns, and a checkout appears whole or not at all.

    :param environ: variables merged over ``os.environ`` for git (PATH, proxies, SSH
        agent, credential settings).
    :param log: receives a line for each fetch and checkout, credentials redacted.
    """
    log = log or _no_log
    # Absolute, so the paths we hand git mean the same in every working directory.
    cache_dir = cache_dir.absolute()
    key = url.cache_key
    db = cache_dir / "db" / key
    checkouts = cache_dir / "checkouts" / key

    rev = url.rev
    if rev is not None and _kind(rev) == "sha":
        cached = checkouts / rev.lower()
        if cached.is_dir():
            log(f"Using the cached checkout of {rev.lower()[:12]} of {url._shown}")
            return _checkout_result(url, rev.lower(), cached)

    git = _Git(url, environ)
    commit = await _resolve(git, db, offline=offline, log=log)
    destination = checkouts / commit
    if not destination.is_dir():
        checkouts.mkdir(parents=True, exist_ok=True)
        async with FileLock(checkouts / f"{commit}.lock"):
            # Another task or process may have made it while we waited for the lock.
            if not destination.is_dir():
                await _create_checkout(git, db, commit, destination, offline=offline, log=log)
    return _checkout_result(url, commit, destination)
