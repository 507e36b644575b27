"""``s3://bucket/prefix`` locations and the AWS settings of one command.

Pure functions on strings and mappings: nothing here talks to S3, so it is cheap to import
and easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from collections.abc import Mapping

SCHEME = "s3"

ADDRESSING_STYLES = ("auto", "path", "virtual")
"""Values of the ``s3_addressing_style`` option (botocore's names)."""

DEFAULT_REGION = "us-east-1"
"""Where requests are signed for when the environment names no region."""


class LocationError(ValueError):
    """An ``s3://`` URL that names no bucket, or a file URL from somewhere else."""


@dataclass(frozen=True, slots=True)
class S3Location:
    """A bucket and a key prefix: ``s3://bucket/a/b`` is ``("bucket", "a/b/")``.

    The prefix is empty (the bucket's top) or ends with ``/``. As with the AWS command
    line, the URL is taken literally: no percent-decoding of the bucket or prefix.
    """

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """The location ``url`` names; :class:`LocationError` if it names no bucket."""
        scheme, separator, rest = url.partition("://")
        if not separator or scheme.lower() != SCHEME:
            raise LocationError(f"{url} is not an s3:// URL")
        bucket, _, path = rest.partition("/")
        if not bucket:
            raise LocationError(f"{url} names no bucket (expected s3://bucket/prefix)")
        prefix = path.strip("/")
        return cls(bucket, f"{prefix}/" if prefix else "")

    @property
    def url(self) -> str:
        """The location as a URL, always with a trailing slash."""
        return f"s3://{self.bucket}/{self.prefix}"

    def child(self, name: str) -> S3Location:
        """The sub-directory ``name`` of this location (``<prefix><name>/``)."""
        return S3Location(self.bucket, f"{self.prefix}{name}/")

    def object_url(self, key: str) -> str:
        """The ``s3://`` URL of object ``key`` of this bucket (percent-encoded as needed)."""
        return object_url(self.bucket, key)


def object_url(bucket: str, key: str) -> str:
    """``s3://bucket/key``, the key percent-encoded where a URL needs it."""
    return f"s3://{bucket}/{quote(key, safe='/!+=,;:@~')}"


def split_object_url(url: str) -> tuple[str, str]:
    """The bucket and key of an object URL made by :func:`object_url`."""
    scheme, separator, rest = url.partition("://")
    bucket, _, key = rest.partition("/")
    if not separator or scheme.lower() != SCHEME or not bucket or not key:
        raise LocationError(f"{url} is not the URL of an S3 object")
    return bucket, unquote(key)


@dataclass(frozen=True, slots=True)
class S3Config:
    """How to reach S3, from the command's environment and the plugin's options.

    ``None`` credentials leave botocore's own chain to find them (profiles, SSO, container
    and instance roles).
    """

    region: str = DEFAULT_REGION
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    profile: str | None = None
    config_file: str | None = None
    credentials_file: str | None = None
    ca_bundle: str | None = None
    addressing_style: str = "auto"
    unsigned: bool = False
    timeout: float = 30.0

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str],
        *,
        addressing_style: str | None = None,
        unsigned: bool = False,
        timeout: float = 30.0,
    ) -> S3Config:
        """Read the usual AWS variables from ``environ`` (the command's, not os.environ).

        ``AWS_ENDPOINT_URL_S3`` wins over ``AWS_ENDPOINT_URL``, as in the AWS SDKs. With a
        custom endpoint (MinIO, Ceph, moto...) the default addressing style is ``path``,
        which every S3-compatible server understands; on AWS it is botocore's ``auto``.
        """

        def get(*names: str) -> str | None:
            for name in names:
                value = environ.get(name, "").strip()
                if value:
                    return value
            return None

        endpoint = get("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
        access_key = get("AWS_ACCESS_KEY_ID")
        secret_key = get("AWS_SECRET_ACCESS_KEY")
        explicit_keys = access_key is not None and secret_key is not None
        style = addressing_style or ("path" if endpoint else "auto")
        if style not in ADDRESSING_STYLES:
            style = "auto"
        return cls(
            region=get("AWS_REGION", "AWS_DEFAULT_REGION") or DEFAULT_REGION,
            endpoint_url=endpoint,
            access_key_id=access_key if explicit_keys else None,
            secret_access_key=secret_key if explicit_keys else None,
            session_token=get("AWS_SESSION_TOKEN") if explicit_keys else None,
            profile=get("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
            config_file=get("AWS_CONFIG_FILE"),
            credentials_file=get("AWS_SHARED_CREDENTIALS_FILE"),
            ca_bundle=get("AWS_CA_BUNDLE"),
            addressing_style=style,
            unsigned=unsigned,
            timeout=timeout,
        )
