"""A thin, synchronous S3 client over botocore, safe to share between threads.

Every method blocks and may raise botocore's exceptions (and OSError for local files);
:mod:`puffin_s3.source` runs them with :func:`asyncio.to_thread` and turns exceptions into
answers with :func:`failure`. botocore is imported on first use only: every puffin command
loads its plugins, and importing botocore costs a good part of a second.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.plugin import Failed, NotFound

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from puffin_s3._location import S3Config, S3Location

MAX_POOL_CONNECTIONS = 32
"""Concurrent requests per client: at least as many as asyncio.to_thread's worker threads."""

SIDECAR_LIMIT = 1 << 16
"""The most bytes read from a ``.sha256`` sidecar; a digest line is far shorter."""

TAIL_SIZE = 1 << 16
"""Bytes read from the end of a wheel at once: the central directory of most wheels."""

CHUNK_SIZE = 1 << 18
"""Bytes per read while downloading."""


class S3Object(NamedTuple):
    """One object of a listing: enough to make a DistFile and to find its sidecars."""

    key: str
    size: int | None
    last_modified: datetime | None
    etag: str | None
    checksum_algorithms: tuple[str, ...] = ()
    checksum_type: str | None = None

    @property
    def basename(self) -> str:
        """The last part of the key (the file name)."""
        return self.key.rpartition("/")[2]


class HashMismatch(Exception):
    """A downloaded file does not have the hash its listing gave."""


class S3Client:
    """One botocore S3 client, made on first use, for one index source."""

    def __init__(self, config: S3Config) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._client: Any = None

    @property
    def config(self) -> S3Config:
        """The settings the client is made with."""
        return self._config

    def client(self) -> Any:
        """The botocore client, made once (botocore clients are thread-safe; sessions are not)."""
        with self._lock:
            if self._client is None:
                self._client = _make_client(self._config)
            return self._client

    def list_directory(self, location: S3Location) -> list[S3Object]:
        """Every object directly under ``location`` (not in its sub-"directories")."""
        paginator = self.client().get_paginator("list_objects_v2")
        objects: list[S3Object] = []
        pages = paginator.paginate(Bucket=location.bucket, Prefix=location.prefix, Delimiter="/")
        for page in pages:
            for item in page.get("Contents", ()):
                key = item["Key"]
                if key == location.prefix:
                    continue  # the "directory" placeholder some tools create
                objects.append(
                    S3Object(
                        key,
                        item.get("Size"),
                        item.get("LastModified"),
                        (item.get("ETag") or "").strip('"') or None,
                        tuple(item.get("ChecksumAlgorithm", ())),
                        item.get("ChecksumType"),
                    )
                )
        return objects

    def read(self, bucket: str, key: str, limit: int | None = None) -> bytes:
        """The content of a (small) object, at most ``limit`` bytes of it."""
        response = self.client().get_object(Bucket=bucket, Key=key)
        with _closing(response["Body"]) as body:
            return bytes(body.read(limit) if limit is not None else body.read())

    def read_range(self, bucket: str, key: str, start: int, end: int) -> tuple[int, bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of an object: ``(offset, data)``.

        A server that ignores ``Range`` sends the whole object: the offset is then 0.
        """
        response = self.client().get_object(
            Bucket=bucket, Key=key, Range=f"bytes={start}-{end - 1}"
        )
        with _closing(response["Body"]) as body:
            data = bytes(body.read())
        if response.get("ContentRange") or len(data) <= end - start:
            return start, data
        return 0, data

    def size(self, bucket: str, key: str) -> int:
        """The size of an object in bytes."""
        return int(self.client().head_object(Bucket=bucket, Key=key)["ContentLength"])

    def sha256_checksum(self, bucket: str, key: str) -> str | None:
        """The hex SHA-256 that S3 keeps for a whole object, or None.

        S3 stores one when the object was uploaded with ``ChecksumAlgorithm=SHA256``. A
        multipart upload's composite checksum (``<digest>-<parts>``) is not the file's hash.
        """
        response = self.client().head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        value = response.get("ChecksumSHA256")
        if not value or "-" in value or response.get("ChecksumType") == "COMPOSITE":
            return None
        try:
            digest = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return None
        return digest.hex() if len(digest) == 32 else None

    def sidecar_sha256(self, bucket: str, key: str) -> str | None:
        """The digest in a ``sha256sum``-style sidecar object (``<hex> [name]``), or None."""
        text = self.read(bucket, key, SIDECAR_LIMIT).decode("ascii", "replace")
        words = text.split()
        digest = words[0].lower() if words else ""
        if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest):
            return digest
        return None

    def download(
        self, bucket: str, key: str, dest: Path, hashes: Iterable[tuple[str, str]] = ()
    ) -> Path:
        """Write an object to ``dest`` atomically, checking ``hashes``; return ``dest``.

        The data goes to a temporary file beside ``dest``, renamed into place only when
        complete and verified, so ``dest`` is never seen half-written.
        """
        checks = {}
        for algorithm, expected in hashes:
            try:
                checks[algorithm] = (hashlib.new(algorithm), expected.lower())
            except ValueError:
                continue  # an algorithm this Python lacks cannot be checked
        dest.parent.mkdir(parents=True, exist_ok=True)
        response = self.client().get_object(Bucket=bucket, Key=key)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent
        )
        try:
            with os.fdopen(handle, "wb") as out, _closing(response["Body"]) as body:
                for chunk in body.iter_chunks(CHUNK_SIZE):
                    out.write(chunk)
                    for hasher, _ in checks.values():
                        hasher.update(chunk)
            for algorithm, (hasher, expected) in checks.items():
                actual = hasher.hexdigest()
                if actual != expected:
                    raise HashMismatch(
                        f"hash mismatch for {dest.name}: expected {algorithm}:{expected}, "
                        f"got {algorithm}:{actual}"
                    )
            os.replace(temporary, dest)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return dest


class RangedReader(io.RawIOBase):
    """A read-only, seekable view of an S3 object that fetches only the ranges read.

    Enough for :mod:`zipfile` to read a wheel's METADATA: it reads the end of the file
    (central directory), then one member. The tail is fetched in one request, and each
    miss reads ahead, so that takes two or three requests whatever the wheel's size.
    """

    def __init__(self, client: S3Client, bucket: str, key: str, size: int) -> None:
        super().__init__()
        self._client = client
        self._bucket = bucket
        self._key = key
        self._size = size
        self._position = 0
        self._blocks: list[tuple[int, bytes]] = []
        self.requests = 0
        if size > 0:
            self._fetch(max(0, size - TAIL_SIZE), size)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        end = min(self._size, self._position + len(view))
        if end <= self._position:
            return 0
        data = self._cached(self._position, end)
        if data is None:
            self._fetch(self._position, min(self._size, max(end, self._position + TAIL_SIZE)))
            data = self._cached(self._position, end)
            assert data is not None
        view[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _cached(self, start: int, end: int) -> bytes | None:
        for offset, block in self._blocks:
            if offset <= start and end <= offset + len(block):
                return block[start - offset : end - offset]
        return None

    def _fetch(self, start: int, end: int) -> None:
        self.requests += 1
        offset, data = self._client.read_range(self._bucket, self._key, start, end)
        self._blocks.append((offset, data))


def _closing(body: Any) -> Any:
    """A context manager that closes a botocore StreamingBody."""
    import contextlib

    return contextlib.closing(body)


def _make_client(config: S3Config) -> Any:
    # botocore ships no type information; the client's methods are generated at run time,
    # so it is handled as Any here either way.
    import botocore  # type: ignore[import-untyped,unused-ignore]
    import botocore.config  # type: ignore[import-untyped,unused-ignore]
    import botocore.session  # type: ignore[import-untyped,unused-ignore]

    from puffin_s3 import __version__

    session = botocore.session.Session()
    for variable, value in (
        ("profile", config.profile),
        ("config_file", config.config_file),
        ("credentials_file", config.credentials_file),
    ):
        if value is not None:
            session.set_config_variable(variable, value)
    options: dict[str, Any] = {
        "connect_timeout": config.timeout,
        "read_timeout": config.timeout,
        "retries": {"mode": "standard", "max_attempts": 3},
        "max_pool_connections": MAX_POOL_CONNECTIONS,
        "s3": {"addressing_style": config.addressing_style},
        "user_agent_extra": f"puffin-s3/{__version__}",
    }
    if config.unsigned:
        options["signature_version"] = botocore.UNSIGNED
    return session.create_client(
        "s3",
        region_name=config.region,
        endpoint_url=config.endpoint_url,
        aws_access_key_id=config.access_key_id,
        aws_secret_access_key=config.secret_access_key,
        aws_session_token=config.session_token,
        verify=config.ca_bundle,
        config=botocore.config.Config(**options),
    )


_DENIED = frozenset({"AccessDenied", "AllAccessDisabled", "403", "Forbidden"})
_BAD_CREDENTIALS = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "AuthorizationHeaderMalformed",
    }
)
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
_WRONG_REGION = frozenset({"PermanentRedirect", "301", "IllegalLocationConstraintException"})


def failure(error: BaseException, *, what: str, bucket: str) -> NotFound | Failed | None:
    """The answer for an exception raised by :class:`S3Client`, or None for a bug.

    ``what`` names the thing asked for (an ``s3://`` URL); reasons say what to do.
    """
    if isinstance(error, HashMismatch):
        return Failed(what, str(error))
    if isinstance(error, OSError):
        return Failed(what, error.strerror or str(error))
    try:
        from botocore import exceptions
    except ImportError:  # pragma: no cover - botocore is a dependency
        return None
    if isinstance(error, exceptions.ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code") or "")
        message = str(details.get("Message") or "").strip()
        if code == "NoSuchBucket":
            return Failed(what, f"bucket {bucket!r} does not exist")
        if code in _DENIED:
            return Failed(
                what,
                f"access denied to bucket {bucket!r}: check the AWS credentials and the "
                "bucket's policy",
            )
        if code in _BAD_CREDENTIALS:
            return Failed(what, f"the AWS credentials were refused ({code}: {message})")
        if code in _MISSING:
            return NotFound(what)
        if code in _WRONG_REGION:
            return Failed(
                what,
                f"bucket {bucket!r} is in another region: set AWS_DEFAULT_REGION to its region",
            )
        return Failed(what, f"S3 error {code}: {message}" if message else f"S3 error {code}")
    if isinstance(error, exceptions.NoCredentialsError | exceptions.PartialCredentialsError):
        return Failed(
            what,
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or "
            "AWS_PROFILE), or pass --s3-no-sign-request for a public bucket",
        )
    if isinstance(error, exceptions.ProfileNotFound):
        return Failed(what, str(error))
    if isinstance(error, exceptions.BotoCoreError):
        return Failed(what, str(error))
    return None
