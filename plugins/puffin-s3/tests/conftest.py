"""Fixtures: moto's real S3 server on 127.0.0.1, buckets in it, and the AWS environment.

moto runs in server mode, in a thread of the test process, so that puffin (a subprocess
run by ``run_puffin``) reaches it over HTTP exactly as it would reach S3 or MinIO. One
server serves the whole session; every test gets buckets of its own.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

REGION = "us-east-1"
_bucket_numbers = itertools.count()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server running for this test session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, tmp_path: Path) -> dict[str, str | None]:
    """The AWS variables for a puffin subprocess: moto's endpoint and dummy credentials.

    The user's own AWS configuration must not leak into a test: config and credential
    files point at nothing, and the instance-metadata lookup is off.
    """
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": None,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": None,
        "AWS_PROFILE": None,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ENDPOINT_URL_S3": None,
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@pytest.fixture
def s3(moto_endpoint: str) -> Any:
    """A boto3 S3 client of the moto server, for setting buckets up."""
    import boto3

    return boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass
class Bucket:
    """A bucket of the moto server, with helpers to publish distributions in it."""

    client: Any
    name: str

    def url(self, prefix: str = "") -> str:
        return f"s3://{self.name}/{prefix}"

    def put(self, key: str, data: bytes, **options: Any) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=data, **options)

    def publish(
        self,
        prefix: str,
        *dists: Path,
        layout: str = "simple",
        sha256: bool = False,
        metadata: bool = False,
        checksum: bool = False,
        public: bool = False,
    ) -> None:
        """Upload ``dists`` under ``prefix``: ``simple`` puts each in ``<name>/``.

        ``sha256``: a ``<file>.sha256`` sidecar; ``metadata``: a ``<file>.metadata``
        sidecar for wheels; ``checksum``: upload with S3's SHA-256 checksum; ``public``:
        readable by anyone (ACL ``public-read``).
        """
        from puffin.testing import metadata_of, normalize_name

        for dist in dists:
            data = dist.read_bytes()
            directory = prefix.strip("/")
            if layout == "simple":
                directory = f"{directory}/{normalize_name(_project(dist.name))}".strip("/")
            key = f"{directory}/{dist.name}".lstrip("/")
            options: dict[str, str] = {"ChecksumAlgorithm": "SHA256"} if checksum else {}
            if public:
                options["ACL"] = "public-read"
            self.put(key, data, **options)
            if sha256:
                digest = hashlib.sha256(data).hexdigest()
                self.put(f"{key}.sha256", f"{digest}  {dist.name}\n".encode())
            if metadata and dist.name.endswith(".whl"):
                self.put(f"{key}.metadata", metadata_of(dist).encode())


def _project(filename: str) -> str:
    from packaging.utils import parse_sdist_filename, parse_wheel_filename

    if filename.endswith(".whl"):
        return parse_wheel_filename(filename)[0]
    return parse_sdist_filename(filename)[0]


@pytest.fixture
def make_bucket(s3: Any) -> Callable[[], Bucket]:
    """Factory: a new, empty bucket with a unique name."""

    def create() -> Bucket:
        name = f"puffin-s3-{os.getpid()}-{next(_bucket_numbers)}"
        s3.create_bucket(Bucket=name)
        return Bucket(s3, name)

    return create


@pytest.fixture
def bucket(make_bucket: Callable[[], Bucket]) -> Bucket:
    """A new, empty bucket."""
    return make_bucket()
