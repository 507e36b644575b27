"""puffin-s3 from the user's side: real ``python -m puffin`` runs against moto's S3 server."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def venv(run_puffin, tmp_path: Path) -> Path:
    run_puffin("venv", str(tmp_path / "env"), "-p", sys.executable).assert_ok()
    return tmp_path / "env"


@pytest.fixture
def dists(make_wheel, make_sdist) -> dict[str, Path]:
    return {
        "app": make_wheel(
            "app",
            "1.0",
            requires_dist=["lib>=1"],
            files={"app/__init__.py": "VALUE = 'from s3'\n"},
        ),
        "lib1": make_wheel("lib", "1.0"),
        "lib2": make_wheel("lib", "2.0"),
        "tool": make_sdist("tool", "0.5"),
    }


def freeze(run_puffin, venv: Path) -> set[str]:
    result = run_puffin("pip", "freeze", "--python", str(venv)).assert_ok()
    return set(result.stdout.split())


def test_plugin_is_listed(run_puffin) -> None:
    result = run_puffin("plugins", "list").assert_ok()
    line = next(line for line in result.stdout.splitlines() if line.startswith("s3 "))
    assert "puffin-s3" in line
    assert "entry point" in line
    assert "puffin_index_source" in line


def test_install_from_s3_index(run_puffin, aws_env, bucket, dists, venv) -> None:
    bucket.publish("simple", dists["app"], dists["lib1"], dists["lib2"])
    result = run_puffin(
        "pip", "install", "-p", str(venv), "--index-url", bucket.url("simple"), "app", env=aws_env
    )
    result.assert_ok()
    assert freeze(run_puffin, venv) == {"app==1.0", "lib==2.0"}
    imported = [str(venv / "bin" / "python"), "-c", "import app; print(app.VALUE)"]
    assert subprocess.run(imported, capture_output=True, text=True, check=True).stdout == (
        "from s3\n"
    )


def test_extra_index_url_beside_a_local_http_index(
    run_puffin, aws_env, bucket, dists, venv, local_index
) -> None:
    http_index = local_index([dists["lib1"]])
    bucket.publish("private", dists["app"])
    result = run_puffin(
        "pip",
        "install",
        "-p",
        str(venv),
        "--index-url",
        http_index.simple_url,
        "--extra-index-url",
        bucket.url("private/"),
        "app",
        env=aws_env,
    )
    result.assert_ok()
    assert freeze(run_puffin, venv) == {"app==1.0", "lib==1.0"}
    assert any("/lib/" in request.path for request in http_index.requests)


def test_find_links_s3(run_puffin, aws_env, bucket, dists, venv) -> None:
    bucket.publish("flat", dists["app"], dists["lib1"], dists["lib2"], layout="flat")
    bucket.put("flat/README.txt", b"not a distribution")
    result = run_puffin(
        "pip",
        "install",
        "-p",
        str(venv),
        "--no-index",
        "--find-links",
        bucket.url("flat"),
        "app",
        "lib<2",
        env=aws_env,
    )
    result.assert_ok()
    assert freeze(run_puffin, venv) == {"app==1.0", "lib==1.0"}


def test_compile_with_hashes_from_sidecars(run_puffin, aws_env, bucket, dists, tmp_path) -> None:
    bucket.publish("simple", dists["app"], dists["lib1"], dists["lib2"], dists["tool"], sha256=True)
    (tmp_path / "requirements.in").write_text("app\ntool\n")
    result = run_puffin(
        "pip",
        "compile",
        "requirements.in",
        "--index-url",
        bucket.url("simple"),
        "--generate-hashes",
        "--no-header",
        env=aws_env,
    )
    result.assert_ok()
    assert "app==1.0" in result.stdout
    assert "lib==2.0" in result.stdout
    assert "tool==0.5" in result.stdout, "the sdist's PKG-INFO was fetched from S3"
    for dist in (dists["app"], dists["lib2"], dists["tool"]):
        digest = hashlib.sha256(dist.read_bytes()).hexdigest()
        assert f"--hash=sha256:{digest}" in result.stdout


def test_find_links_and_index_in_one_bucket_with_metadata_files(
    run_puffin, aws_env, bucket, dists, tmp_path
) -> None:
    bucket.publish("simple", dists["app"], metadata=True, checksum=True)
    bucket.publish("flat", dists["lib1"], layout="flat", metadata=True)
    (tmp_path / "requirements.in").write_text("app\n")
    result = run_puffin(
        "pip",
        "compile",
        "requirements.in",
        "--index-url",
        bucket.url("simple"),
        "--find-links",
        bucket.url("flat"),
        "--generate-hashes",
        env=aws_env,
    )
    result.assert_ok()
    assert "lib==1.0" in result.stdout
    digest = hashlib.sha256(dists["app"].read_bytes()).hexdigest()
    assert f"--hash=sha256:{digest}" in result.stdout, "S3's own SHA-256 checksum is used"


def test_index_versions(run_puffin, aws_env, bucket, dists) -> None:
    bucket.publish("simple", dists["lib1"], dists["lib2"])
    result = run_puffin(
        "pip", "index", "versions", "lib", "--index-url", bucket.url("simple"), env=aws_env
    )
    result.assert_ok()
    assert "Available versions: 2.0, 1.0" in result.stdout


def test_missing_bucket_is_a_clear_error(run_puffin, aws_env, tmp_path) -> None:
    (tmp_path / "requirements.in").write_text("app\n")
    url = "s3://no-such-bucket-for-puffin/simple"
    result = run_puffin(
        "pip", "compile", "requirements.in", "--index-url", url, env=aws_env
    ).assert_failed()
    assert "s3://no-such-bucket-for-puffin/simple/app/" in result.stderr
    assert "bucket 'no-such-bucket-for-puffin' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_package_is_puffin_s_usual_explanation(
    run_puffin, aws_env, bucket, dists, tmp_path
) -> None:
    bucket.publish("simple", dists["lib1"])
    (tmp_path / "requirements.in").write_text("nothere\n")
    result = run_puffin(
        "pip", "compile", "requirements.in", "--index-url", bucket.url("simple"), env=aws_env
    ).assert_failed()
    assert "there is no version of nothere" in result.stderr
    assert "Traceback" not in result.stderr


def test_wrong_sidecar_hash_stops_the_install(run_puffin, aws_env, bucket, dists, venv) -> None:
    bucket.publish("simple", dists["lib1"])
    bucket.put(f"simple/lib/{dists['lib1'].name}.sha256", b"0" * 64 + b"\n")
    result = run_puffin(
        "pip", "install", "-p", str(venv), "--index-url", bucket.url("simple"), "lib", env=aws_env
    ).assert_failed()
    assert "hash mismatch" in result.stderr
    assert freeze(run_puffin, venv) == set()


def test_offline_does_not_touch_s3(run_puffin, aws_env, bucket, dists, tmp_path) -> None:
    bucket.publish("simple", dists["lib1"])
    (tmp_path / "requirements.in").write_text("lib\n")
    result = run_puffin(
        "pip",
        "compile",
        "requirements.in",
        "--offline",
        "--index-url",
        bucket.url("simple"),
        env=aws_env,
    ).assert_failed()
    assert "offline" in result.stderr
    assert "s3://" in result.stderr


def _compile(run_puffin, env, *args: str):
    return run_puffin("pip", "compile", "requirements.in", "--no-header", *args, env=env)


def test_anonymous_access_to_a_public_bucket(run_puffin, aws_env, bucket, dists, tmp_path) -> None:
    bucket.publish("simple", dists["lib1"], public=True)
    (tmp_path / "requirements.in").write_text("lib\n")
    anonymous = {**aws_env, "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    index = ("--index-url", bucket.url("simple"))
    result = _compile(run_puffin, anonymous, "--s3-no-sign-request", *index).assert_ok()
    assert "lib==1.0" in result.stdout
    by_variable = {**anonymous, "PUFFIN_S3_NO_SIGN_REQUEST": "1"}
    assert "lib==1.0" in _compile(run_puffin, by_variable, *index).assert_ok().stdout


def test_no_credentials_is_a_clear_error(run_puffin, aws_env, bucket, dists, tmp_path) -> None:
    bucket.publish("simple", dists["lib1"])
    (tmp_path / "requirements.in").write_text("lib\n")
    anonymous = {**aws_env, "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    result = _compile(run_puffin, anonymous, "--index-url", bucket.url("simple")).assert_failed()
    assert "no AWS credentials found" in result.stderr
    assert bucket.url("simple/lib/") in result.stderr


def test_access_denied_is_a_clear_error(run_puffin, aws_env, bucket, dists, tmp_path) -> None:
    # moto lets anyone list, but not read a private object without signing.
    bucket.publish("simple", dists["lib1"])
    (tmp_path / "requirements.in").write_text("lib\n")
    result = _compile(
        run_puffin, aws_env, "--s3-no-sign-request", "--index-url", bucket.url("simple")
    ).assert_failed()
    assert f"access denied to bucket '{bucket.name}'" in result.stderr
