"""Where a distribution came from when not from an index: its PEP 610 direct URL.

:attr:`InstalledDist.direct_url <puffin.plugin.InstalledDist.direct_url>` holds the
direct URL as a single PEP 508 string (``git+https://host/repo@<commit>``,
``https://host/app-1.0.tar.gz#sha256=...``, ``file:///home/me/app``). It does not say
whether a ``file:`` URL is an archive or a directory, nor carry the archive hashes of a
``hashes`` mapping, so the distribution's ``direct_url.json`` (a standard file of the
``.dist-info`` directory, PEP 610) is read for those when there is one; the string is
the fallback.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from pathlib import Path

    from puffin.plugin import InstalledDist

__all__ = ["Source", "source_of"]

_VCS_PREFIX: Final = re.compile(r"^(git|hg|svn|bzr)\+", re.IGNORECASE)
_ARCHIVE_SUFFIXES: Final = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")
# hashlib name -> (CycloneDX algorithm, hex digest length)
_HASH_ALGORITHMS: Final = {
    "md5": ("MD5", 32),
    "sha1": ("SHA-1", 40),
    "sha256": ("SHA-256", 64),
    "sha384": ("SHA-384", 96),
    "sha512": ("SHA-512", 128),
    "sha3_256": ("SHA3-256", 64),
    "sha3_384": ("SHA3-384", 96),
    "sha3_512": ("SHA3-512", 128),
}


class Source(NamedTuple):
    """A direct-URL origin: ``kind`` is ``vcs``, ``archive`` or ``directory``."""

    kind: str
    url: str
    """The URL as PEP 610 records it (the repository URL for ``vcs``)."""
    vcs: str | None = None
    commit: str | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    """(CycloneDX algorithm, hex digest) pairs of an archive."""
    editable: bool = False
    subdirectory: str | None = None

    @property
    def reference(self) -> str:
        """The URL that names exactly this source: ``git+https://host/repo@<commit>``
        for a VCS checkout, else :attr:`url`."""
        if self.kind != "vcs":
            return self.url
        return f"{self.vcs}+{self.url}" + (f"@{self.commit}" if self.commit else "")


def source_of(dist: InstalledDist) -> Source | None:
    """The direct-URL source of ``dist``; None when it came from an index."""
    if dist.direct_url is None:
        if dist.editable:
            # A legacy ``.egg-link`` editable: the project directory holds the egg-info.
            return Source("directory", dist.dist_info.parent.as_uri(), editable=True)
        return None
    recorded = _read_direct_url_json(dist.dist_info / "direct_url.json")
    source = _from_json(recorded) if recorded is not None else None
    if source is None:
        source = _from_reference(dist.direct_url)
    if dist.editable and not source.editable:
        source = source._replace(editable=True)
    return source


def _read_direct_url_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("url"), str) else None


def _from_json(data: dict[str, Any]) -> Source | None:
    """A :class:`Source` from a PEP 610 ``direct_url.json`` mapping; None if malformed."""
    url: str = data["url"]
    subdirectory = data.get("subdirectory")
    subdirectory = subdirectory if isinstance(subdirectory, str) and subdirectory else None
    vcs_info = data.get("vcs_info")
    if isinstance(vcs_info, dict) and isinstance(vcs_info.get("vcs"), str):
        commit = vcs_info.get("commit_id")
        return Source(
            "vcs",
            url,
            vcs=vcs_info["vcs"],
            commit=commit if isinstance(commit, str) and commit else None,
            subdirectory=subdirectory,
        )
    archive_info = data.get("archive_info")
    if isinstance(archive_info, dict):
        found: dict[str, str] = {}
        hashes = archive_info.get("hashes")
        if isinstance(hashes, dict):
            found.update((k, v) for k, v in hashes.items() if isinstance(v, str))
        legacy = archive_info.get("hash")  # the deprecated "<algorithm>=<digest>" form
        if isinstance(legacy, str) and "=" in legacy:
            name, _, digest = legacy.partition("=")
            found.setdefault(name, digest)
        return Source("archive", url, hashes=_hashes(found), subdirectory=subdirectory)
    dir_info = data.get("dir_info")
    if isinstance(dir_info, dict):
        return Source(
            "directory",
            url,
            editable=dir_info.get("editable") is True,
            subdirectory=subdirectory,
        )
    return None


def _from_reference(reference: str) -> Source:
    """A :class:`Source` from the PEP 508 direct-URL string of :class:`InstalledDist`."""
    url, _, fragment = reference.partition("#")
    fields = dict(part.partition("=")[::2] for part in fragment.split("&") if "=" in part)
    subdirectory = fields.pop("subdirectory", None) or None
    prefix = _VCS_PREFIX.match(url)
    if prefix is not None:
        vcs = prefix.group(1).lower()
        repository = url[prefix.end() :]
        # The revision follows the last "@" of the path (not of a user@host netloc).
        scheme_end = repository.find("://") + 3
        slash = repository.find("/", scheme_end)
        at = repository.rfind("@")
        commit: str | None = None
        if slash != -1 and at > slash:
            repository, commit = repository[:at], repository[at + 1 :]
        return Source("vcs", repository, vcs=vcs, commit=commit, subdirectory=subdirectory)
    hashes = _hashes(fields)
    path = url.split("?", 1)[0].lower()
    if hashes or path.endswith(_ARCHIVE_SUFFIXES):
        return Source("archive", url, hashes=hashes, subdirectory=subdirectory)
    return Source("directory", url, subdirectory=subdirectory)


def _hashes(found: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The digests CycloneDX can hold, as (algorithm, lower-case hex), sorted."""
    result = []
    for name, digest in found.items():
        known = _HASH_ALGORITHMS.get(name.lower().replace("-", "_"))
        if known is None:
            continue
        algorithm, length = known
        value = digest.strip().lower()
        if len(value) == length and re.fullmatch(r"[0-9a-f]+", value):
            result.append((algorithm, value))
    return tuple(sorted(result))
