"""The index source for one ``s3://bucket/prefix`` location.

* ``IndexKind.SIMPLE`` (``--index-url``, ``--extra-index-url``): the files of project
  ``name`` are the objects directly under ``<prefix>/<name>/`` (PEP 503 normalized name),
  one "directory" listing per project asked for.
* ``IndexKind.FLAT`` (``--find-links``): the files are the objects directly under
  ``<prefix>/``, listed once per command and grouped by the project named in each file
  name.

Beside a distribution ``<file>``, an object ``<file>.metadata`` is its core metadata (as in
PEP 658) and ``<file>.sha256`` its SHA-256 digest (``sha256sum`` output). Without a
sidecar, a SHA-256 checksum that S3 keeps for the object is used when there is one.

All S3 calls are blocking botocore calls, run with :func:`asyncio.to_thread` on one client
per source, so the source is safe to use concurrently from the command's event loop.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Protocol, TypeVar

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from puffin.plugin import DistFile, Failed, Found, IndexKind, NotFound, Offline

from puffin_s3._location import (
    LocationError,
    S3Config,
    S3Location,
    object_url,
    split_object_url,
)
from puffin_s3._s3 import RangedReader, S3Client, S3Object, failure

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from packaging.utils import NormalizedName
    from puffin.plugin import Answer, IndexSpec, Reporter, Settings

T = TypeVar("T")

METADATA_SUFFIX = ".metadata"
SHA256_SUFFIX = ".sha256"


class SourceOptions(Protocol):
    """The part of puffin's source options this plugin reads (``ctx.source_options``)."""

    @property
    def offline(self) -> bool: ...

    @property
    def http_timeout(self) -> float: ...


class Context(Protocol):
    """The part of puffin's command context this plugin reads.

    puffin's ``Context`` type is not part of ``puffin.plugin``; this protocol names the
    fields used, which the context has.
    """

    @property
    def settings(self) -> Settings: ...

    @property
    def reporter(self) -> Reporter: ...

    @property
    def environ(self) -> Mapping[str, str]: ...

    @property
    def source_options(self) -> SourceOptions | None: ...


def project_of(filename: str) -> NormalizedName | None:
    """The normalized project name of a wheel or sdist file name; None for other files."""
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[0]
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


class S3IndexSource:
    """Serves one ``s3://`` index or find-links location (an :class:`IndexSource`)."""

    def __init__(self, spec: IndexSpec, ctx: Context) -> None:
        self._spec = spec
        self._reporter = ctx.reporter
        options = ctx.source_options
        self._offline = bool(options is not None and options.offline)
        try:
            self._location: S3Location | None = S3Location.parse(spec.url)
            self._invalid = ""
        except LocationError as error:
            self._location = None
            self._invalid = str(error)
        self._client = S3Client(
            S3Config.from_environ(
                ctx.environ,
                addressing_style=ctx.settings.plugin_option("s3_addressing_style"),
                unsigned=bool(ctx.settings.plugin_option("s3_no_sign_request", False)),
                timeout=options.http_timeout if options is not None else 30.0,
            )
        )
        # find-links: the one listing of the prefix, made by whichever call comes first.
        self._flat_lock = threading.Lock()
        self._flat_listing: list[S3Object] | None = None
        self._flat_error: Exception | None = None
        self._metadata: dict[str, bytes] = {}

    @property
    def spec(self) -> IndexSpec:
        """The location this source serves."""
        return self._spec

    @property
    def client(self) -> S3Client:
        """The S3 client of this source."""
        return self._client

    async def list_files(self, name: NormalizedName) -> Answer[tuple[DistFile, ...]]:
        """Every wheel and sdist of project ``name`` at this location."""
        name = canonicalize_name(name)
        location = self._location
        if location is None:
            return Failed(self._spec.url, self._invalid)
        if self._spec.kind is IndexKind.SIMPLE:
            directory = location.child(name)
            if self._offline:
                return Offline(directory.url)
            self._reporter.debug(f"s3: listing {directory.url}")
            answer = await self._call(directory.url, self._client.list_directory, directory)
        else:
            if self._offline:
                return Offline(location.url)
            answer = await self._call(location.url, self._flat_objects, location)
        if isinstance(answer, NotFound):
            return NotFound(f"{name} in {self._spec.url}")
        if not isinstance(answer, Found):
            return answer
        files = await self._dist_files(location.bucket, answer.value, name)
        return Found(files) if files else NotFound(f"{name} in {self._spec.url}")

    async def fetch_metadata(self, file: DistFile) -> Answer[bytes]:
        """The METADATA of a wheel: its ``.metadata`` sidecar, else read from the wheel.

        The wheel is not downloaded: its central directory and METADATA member are read with
        ranged GETs (two or three requests).
        """
        if not file.is_wheel:
            return Failed(file.filename, "only wheels have separate core metadata")
        known = self._metadata.get(file.url)
        if known is not None:
            return Found(known)
        if self._offline:
            return Offline(file.url)
        try:
            bucket, key = split_object_url(file.url)
        except LocationError as error:
            return Failed(file.url, str(error))
        answer: Answer[bytes] | None = None
        if file.has_core_metadata:
            answer = await self._call(
                file.url + METADATA_SUFFIX, self._client.read, bucket, key + METADATA_SUFFIX
            )
        if answer is None or isinstance(answer, NotFound):
            answer = await self._call(file.url, self._read_wheel_metadata, bucket, key, file)
        if isinstance(answer, Found):
            self._metadata[file.url] = answer.value
        return answer

    async def fetch_file(self, file: DistFile, dest: Path) -> Answer[Path]:
        """Download ``file`` to ``dest`` (atomically), checking the hashes it was listed with."""
        if self._offline:
            return Offline(file.url)
        try:
            bucket, key = split_object_url(file.url)
        except LocationError as error:
            return Failed(file.url, str(error))
        self._reporter.debug(f"s3: downloading {file.url}")
        return await self._call(file.url, self._client.download, bucket, key, dest, file.hashes)

    # -- internals ---------------------------------------------------------------------

    async def _call(self, what: str, function: Callable[..., T], *args: object) -> Answer[T]:
        """Run a blocking S3 call on a thread; its exceptions become answers.

        ``what`` is the ``s3://`` URL of what is asked for, named in the answer.
        """
        try:
            return Found(await asyncio.to_thread(function, *args))
        except Exception as error:
            bucket = what.partition("://")[2].partition("/")[0]
            answer = failure(error, what=what, bucket=bucket)
            if answer is None:
                raise
            return answer

    def _flat_objects(self, location: S3Location) -> list[S3Object]:
        """The objects under the find-links prefix, listed once for the whole command."""
        with self._flat_lock:
            if self._flat_error is not None:
                raise self._flat_error
            if self._flat_listing is None:
                try:
                    self._flat_listing = self._client.list_directory(location)
                except Exception as error:
                    self._flat_error = error  # a failure is not retried for every project
                    raise
            return self._flat_listing

    async def _dist_files(
        self, bucket: str, objects: list[S3Object], name: NormalizedName
    ) -> tuple[DistFile, ...]:
        """The DistFiles of project ``name`` among ``objects``, with their sidecars."""
        keys = {item.key for item in objects}
        mine = [item for item in objects if project_of(item.basename) == name]
        hashes = await asyncio.gather(*(self._sha256(bucket, item, keys) for item in mine))
        return tuple(
            DistFile(
                item.basename,
                object_url(bucket, item.key),
                self._spec,
                hashes=(("sha256", digest),) if digest else (),
                upload_time=item.last_modified,
                size=item.size,
                has_core_metadata=item.key.endswith(".whl") and item.key + METADATA_SUFFIX in keys,
            )
            for item, digest in zip(mine, hashes, strict=True)
        )

    async def _sha256(self, bucket: str, item: S3Object, keys: set[str]) -> str | None:
        """The SHA-256 of an object: its ``.sha256`` sidecar, else S3's own checksum."""
        url = object_url(bucket, item.key)
        if item.key + SHA256_SUFFIX in keys:
            sidecar = await self._call(
                url + SHA256_SUFFIX, self._client.sidecar_sha256, bucket, item.key + SHA256_SUFFIX
            )
            if isinstance(sidecar, Found) and sidecar.value:
                return sidecar.value
            self._reporter.warning(
                f"s3: ignoring {url}{SHA256_SUFFIX}: "
                + (
                    "it holds no SHA-256 digest"
                    if isinstance(sidecar, Found)
                    else getattr(sidecar, "reason", "not found")
                )
            )
        if "SHA256" in item.checksum_algorithms and item.checksum_type != "COMPOSITE":
            checksum = await self._call(url, self._client.sha256_checksum, bucket, item.key)
            if isinstance(checksum, Found):
                return checksum.value
        return None

    def _read_wheel_metadata(self, bucket: str, key: str, file: DistFile) -> bytes:
        """METADATA from inside a wheel in S3, read with ranged GETs."""
        import zipfile

        size = file.size if file.size is not None else self._client.size(bucket, key)
        try:
            with zipfile.ZipFile(RangedReader(self._client, bucket, key, size)) as archive:
                path = _metadata_path(archive.namelist(), file.filename)
                if path is None:
                    raise MetadataMissing(f"{file.filename} has no .dist-info/METADATA")
                return archive.read(path)
        except zipfile.BadZipFile as error:
            raise MetadataMissing(f"{file.filename} is not a valid wheel: {error}") from None


class MetadataMissing(OSError):
    """A wheel without METADATA, or not a zip file at all (reported as Failed)."""


def _metadata_path(names: list[str], filename: str) -> str | None:
    """The ``<name>-<version>.dist-info/METADATA`` member of a wheel, found leniently."""
    candidates = [
        name for name in names if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
    ]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    project = parse_wheel_filename(filename)[0]
    for candidate in candidates:
        stem = candidate.partition(".dist-info/")[0]
        if canonicalize_name(stem.rpartition("-")[0]) == project:
            return candidate
    return None
