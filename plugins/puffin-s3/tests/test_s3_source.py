"""The S3 index source in-process, against moto's S3 server: listings, sidecars, reads."""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from puffin.plugin import (
    DistFile,
    Failed,
    Found,
    IndexKind,
    IndexSource,
    IndexSpec,
    NotFound,
    Offline,
)
from puffin.testing import metadata_of

from puffin_s3 import puffin_index_source
from puffin_s3._location import (
    LocationError,
    S3Config,
    S3Location,
    object_url,
    split_object_url,
)
from puffin_s3._s3 import failure
from puffin_s3.source import S3IndexSource


class Settings:
    def __init__(self, **options: Any) -> None:
        self._options = options

    def plugin_option(self, name: str, default: Any = None) -> Any:
        return self._options.get(name, default)


class Reporter:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __getattr__(self, level: str) -> Any:
        return lambda text, **_: self.lines.append((level, text))


def make_ctx(aws_env: dict[str, str | None], *, offline: bool = False, **options: Any) -> Any:
    return SimpleNamespace(
        settings=Settings(**options),
        reporter=Reporter(),
        environ={key: value for key, value in aws_env.items() if value is not None},
        source_options=SimpleNamespace(offline=offline, http_timeout=10.0),
    )


def source(url: str, aws_env, kind: IndexKind = IndexKind.SIMPLE, **ctx: Any) -> S3IndexSource:
    made = puffin_index_source(IndexSpec(url, kind), make_ctx(aws_env, **ctx))
    assert made is not None
    return made


# -- locations and settings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://bucket", "bucket", ""),
        ("s3://bucket/", "bucket", ""),
        ("s3://bucket/simple", "bucket", "simple/"),
        ("S3://bucket//a/b/", "bucket", "a/b/"),
    ],
)
def test_location_parsing(url: str, bucket: str, prefix: str) -> None:
    location = S3Location.parse(url)
    assert (location.bucket, location.prefix) == (bucket, prefix)


@pytest.mark.parametrize("url", ["s3://", "s3:///simple", "https://bucket/simple"])
def test_location_without_a_bucket_is_refused(url: str) -> None:
    with pytest.raises(LocationError):
        S3Location.parse(url)


@pytest.mark.parametrize(
    "key", ["simple/pkg/pkg-1.0+local.1-py3-none-any.whl", "odd dir/100%/x#y?.whl"]
)
def test_object_urls_round_trip(key: str) -> None:
    url = object_url("bucket", key)
    assert " " not in url and "#" not in url and "?" not in url
    assert split_object_url(url) == ("bucket", key)


def test_config_from_environ() -> None:
    config = S3Config.from_environ(
        {
            "AWS_ENDPOINT_URL": "http://general",
            "AWS_ENDPOINT_URL_S3": "http://s3-only",
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_SESSION_TOKEN": "token",
            "AWS_DEFAULT_REGION": "eu-west-3",
        }
    )
    assert config.endpoint_url == "http://s3-only"
    assert (config.access_key_id, config.secret_access_key, config.session_token) == (
        "id",
        "secret",
        "token",
    )
    assert config.region == "eu-west-3"
    assert config.addressing_style == "path", "custom endpoints get path-style URLs"

    aws = S3Config.from_environ({"AWS_ACCESS_KEY_ID": "id-without-secret"})
    assert aws.access_key_id is None, "half a key pair is left to botocore's chain"
    assert aws.endpoint_url is None
    assert aws.region == "us-east-1"
    assert aws.addressing_style == "auto"
    assert S3Config.from_environ({}, addressing_style="virtual").addressing_style == "virtual"


def test_hook_claims_only_s3(aws_env) -> None:
    ctx = make_ctx(aws_env)
    for url in ("https://pypi.org/simple/", "file:///srv/index", "/srv/wheels"):
        for kind in IndexKind:
            assert puffin_index_source(IndexSpec(url, kind), ctx) is None
    for kind in IndexKind:
        made = puffin_index_source(IndexSpec("s3://bucket/prefix", kind), ctx)
        assert isinstance(made, IndexSource)
        assert made.spec == IndexSpec("s3://bucket/prefix", kind)


# -- listings ---------------------------------------------------------------------------------


def test_simple_listing(aws_env, bucket, make_wheel, make_sdist) -> None:
    wheel = make_wheel("Foo.Bar", "1.0")
    sdist = make_sdist("foo-bar", "1.0")
    other = make_wheel("other", "1.0")
    bucket.publish("simple", wheel, metadata=True, sha256=True)
    bucket.publish("simple", sdist, checksum=True)
    bucket.put(f"simple/foo-bar/{other.name}", other.read_bytes())  # not foo-bar's file
    bucket.put("simple/foo-bar/index.html", b"<html></html>")
    bucket.put(f"simple/foo-bar/sub/{wheel.name}", wheel.read_bytes())  # not directly under

    s3 = source(bucket.url("simple"), aws_env)
    answer = asyncio.run(s3.list_files("foo-bar"))
    assert isinstance(answer, Found)
    files = {file.filename: file for file in answer.value}
    assert set(files) == {wheel.name, sdist.name}

    listed = files[wheel.name]
    assert listed.url == f"s3://{bucket.name}/simple/foo-bar/{wheel.name}"
    assert listed.source == s3.spec
    assert listed.hash("sha256") == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert listed.has_core_metadata
    assert listed.size == wheel.stat().st_size
    assert isinstance(listed.upload_time, datetime)
    assert listed.upload_time.tzinfo is not None

    from_checksum = files[sdist.name]
    assert from_checksum.hash("sha256") == hashlib.sha256(sdist.read_bytes()).hexdigest()
    assert not from_checksum.has_core_metadata


def test_simple_listing_of_a_missing_project(aws_env, bucket, make_wheel) -> None:
    bucket.publish("simple", make_wheel("present", "1.0"))
    answer = asyncio.run(source(bucket.url("simple"), aws_env).list_files("absent"))
    assert answer == NotFound(f"absent in {bucket.url('simple')}")


def test_flat_location_is_listed_once(aws_env, bucket, make_wheel, make_sdist) -> None:
    dists = [make_wheel("alpha", "1.0"), make_wheel("alpha", "2.0"), make_sdist("beta", "1.0")]
    bucket.publish("flat", *dists, layout="flat", sha256=True)
    bucket.put("flat/notes.txt", b"hello")
    s3 = source(bucket.url("flat"), aws_env, kind=IndexKind.FLAT)
    calls = []
    real = s3.client.list_directory

    def counting(location: S3Location) -> Any:
        calls.append(location)
        return real(location)

    s3.client.list_directory = counting

    async def every() -> list[Any]:
        return list(await asyncio.gather(*(s3.list_files(n) for n in ("alpha", "beta", "nope"))))

    alpha, beta, nope = asyncio.run(every())
    assert len(calls) == 1
    assert isinstance(alpha, Found) and len(alpha.value) == 2
    assert isinstance(beta, Found) and [f.filename for f in beta.value] == [dists[2].name]
    assert all(f.hash("sha256") for f in (*alpha.value, *beta.value))
    assert isinstance(nope, NotFound)


def test_missing_bucket_fails_naming_it(aws_env) -> None:
    for kind in IndexKind:
        answer = asyncio.run(source("s3://no-such-bucket/x", aws_env, kind=kind).list_files("pkg"))
        assert isinstance(answer, Failed)
        assert answer.what.startswith("s3://no-such-bucket/x/")
        assert answer.reason == "bucket 'no-such-bucket' does not exist"


def test_url_without_a_bucket_fails(aws_env) -> None:
    answer = asyncio.run(source("s3:///simple", aws_env).list_files("pkg"))
    assert isinstance(answer, Failed)
    assert "names no bucket" in answer.reason


def test_offline_answers_offline(aws_env, bucket, make_wheel, tmp_path) -> None:
    wheel = make_wheel("pkg", "1.0")
    bucket.publish("simple", wheel)
    online = source(bucket.url("simple"), aws_env)
    listed = asyncio.run(online.list_files("pkg"))
    assert isinstance(listed, Found)
    file = listed.value[0]
    offline = source(bucket.url("simple"), aws_env, offline=True)
    assert isinstance(asyncio.run(offline.list_files("pkg")), Offline)
    assert isinstance(asyncio.run(offline.fetch_metadata(file)), Offline)
    assert isinstance(asyncio.run(offline.fetch_file(file, tmp_path / file.filename)), Offline)
    flat = source(bucket.url("simple/pkg"), aws_env, kind=IndexKind.FLAT, offline=True)
    assert isinstance(asyncio.run(flat.list_files("pkg")), Offline)


# -- metadata and files -----------------------------------------------------------------------


def _only_file(s3: S3IndexSource, name: str) -> DistFile:
    answer = asyncio.run(s3.list_files(name))
    assert isinstance(answer, Found)
    (file,) = answer.value
    return file


def test_metadata_is_read_with_ranges_not_a_download(aws_env, bucket, make_wheel) -> None:
    big = os.urandom(2 << 20)  # incompressible: the wheel is over 2 MiB
    wheel = make_wheel("big", "1.0", files={"big/__init__.py": "", "big/blob.bin": big})
    bucket.publish("simple", wheel)
    s3 = source(bucket.url("simple"), aws_env)
    file = _only_file(s3, "big")
    fetched: list[int] = []
    real = s3.client.read_range

    def counting(bucket_: str, key: str, start: int, end: int) -> Any:
        offset, data = real(bucket_, key, start, end)
        fetched.append(len(data))
        return offset, data

    s3.client.read_range = counting
    answer = asyncio.run(s3.fetch_metadata(file))
    assert answer == Found(metadata_of(wheel).encode())
    assert len(fetched) <= 3
    assert sum(fetched) < 300_000 < wheel.stat().st_size
    assert asyncio.run(s3.fetch_metadata(file)) == answer
    assert len(fetched) <= 3, "metadata is kept for the command"


def test_metadata_sidecar_is_preferred(aws_env, bucket, make_wheel) -> None:
    wheel = make_wheel("pkg", "1.0")
    bucket.publish("simple", wheel)
    sidecar = b"Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nRequires-Dist: from-sidecar\n"
    bucket.put(f"simple/pkg/{wheel.name}.metadata", sidecar)
    s3 = source(bucket.url("simple"), aws_env)
    assert asyncio.run(s3.fetch_metadata(_only_file(s3, "pkg"))) == Found(sidecar)


@pytest.mark.parametrize("content", [b"not a zip file at all", b""])
def test_metadata_of_a_broken_wheel_fails(aws_env, bucket, content: bytes) -> None:
    bucket.put("simple/pkg/pkg-1.0-py3-none-any.whl", content)
    s3 = source(bucket.url("simple"), aws_env)
    answer = asyncio.run(s3.fetch_metadata(_only_file(s3, "pkg")))
    assert isinstance(answer, Failed)
    assert "not a valid wheel" in answer.reason


def test_concurrent_downloads(aws_env, bucket, make_wheel, tmp_path) -> None:
    wheels = [make_wheel("pkg", f"1.{n}") for n in range(8)]
    bucket.publish("simple", *wheels, sha256=True)
    s3 = source(bucket.url("simple"), aws_env)
    listed = asyncio.run(s3.list_files("pkg"))
    assert isinstance(listed, Found) and len(listed.value) == 8

    async def download_all() -> list[Any]:
        return list(
            await asyncio.gather(
                *(s3.fetch_file(f, tmp_path / "out" / f.filename) for f in listed.value)
            )
        )

    answers = asyncio.run(download_all())
    for wheel, answer in zip(sorted(wheels), sorted(answers, key=str), strict=True):
        assert isinstance(answer, Found)
        assert answer.value.read_bytes() == wheel.read_bytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(w.name for w in wheels)


def test_download_with_a_wrong_hash_leaves_nothing(aws_env, bucket, make_wheel, tmp_path) -> None:
    wheel = make_wheel("pkg", "1.0")
    bucket.publish("simple", wheel)
    s3 = source(bucket.url("simple"), aws_env)
    file = _only_file(s3, "pkg")
    wrong = DistFile(file.filename, file.url, file.source, hashes=(("sha256", "0" * 64),))
    answer = asyncio.run(s3.fetch_file(wrong, tmp_path / file.filename))
    assert isinstance(answer, Failed)
    assert "hash mismatch" in answer.reason
    assert list(tmp_path.iterdir()) == []


def test_download_of_a_vanished_file_is_not_found(aws_env, bucket, tmp_path) -> None:
    s3 = source(bucket.url("simple"), aws_env)
    gone = DistFile("pkg-1.0.tar.gz", bucket.url("simple/pkg/pkg-1.0.tar.gz"), s3.spec)
    answer = asyncio.run(s3.fetch_file(gone, tmp_path / gone.filename))
    assert isinstance(answer, NotFound)
    assert list(tmp_path.iterdir()) == []


# -- errors -----------------------------------------------------------------------------------


def _client_error(code: str, message: str = "boom") -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, "GetObject")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AccessDenied", "access denied to bucket 'b'"),
        ("InvalidAccessKeyId", "the AWS credentials were refused (InvalidAccessKeyId: boom)"),
        ("PermanentRedirect", "set AWS_DEFAULT_REGION"),
        ("SlowDown", "S3 error SlowDown: boom"),
    ],
)
def test_client_errors_become_failed_answers(code: str, expected: str) -> None:
    answer = failure(_client_error(code), what="s3://b/k", bucket="b")
    assert isinstance(answer, Failed)
    assert answer.what == "s3://b/k"
    assert expected in answer.reason


def test_missing_objects_are_not_found_and_bugs_are_raised() -> None:
    assert failure(_client_error("NoSuchKey"), what="s3://b/k", bucket="b") == NotFound("s3://b/k")
    assert failure(ValueError("a bug"), what="s3://b/k", bucket="b") is None


def test_unreachable_endpoint_fails(aws_env) -> None:
    unreachable = {**aws_env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    answer = asyncio.run(source("s3://bucket/simple", unreachable).list_files("pkg"))
    assert isinstance(answer, Failed)
    assert answer.what == "s3://bucket/simple/pkg/"
    assert "Could not connect" in answer.reason
