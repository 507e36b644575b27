"""puffin.client.plain: the bare GETs of worker processes, against real servers on
127.0.0.1 (plain HTTP, and HTTPS with a local certificate authority); and which URLs the
client lets a worker fetch (HttpClient.plain_request)."""

from __future__ import annotations

import asyncio
import hashlib
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from puffin.client import ClientOptions, open_client
from puffin.client.plain import PlainFetcher, PlainFetchError, PlainRequest, normalized_hashes
from puffin.testing.index import StaticIndexServer
from puffin.testing.tls_server import HypercornServer, LocalCA, static_files_app

if TYPE_CHECKING:
    from collections.abc import Iterator

DATA = random.Random(7).randbytes(3 * 1024 * 1024 + 11)
SHA256 = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def server(tmp_path: Path) -> Any:
    root = tmp_path / "root"
    (root / "files").mkdir(parents=True)
    (root / "files" / "data.bin").write_bytes(DATA)
    (root / "files" / "other.bin").write_bytes(DATA[:1000])
    with StaticIndexServer(root) as served:
        yield served


@pytest.fixture
def fetcher() -> Iterator[PlainFetcher]:
    fetching = PlainFetcher()
    yield fetching
    fetching.close()


def request(url: str, **fields: Any) -> PlainRequest:
    return PlainRequest(url=url, timeout=5.0, user_agent="puffin-test", **fields)


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


def test_a_file_is_fetched_whole_and_checked(
    server: StaticIndexServer, fetcher: PlainFetcher, tmp_path: Path
) -> None:
    dest = tmp_path / "out" / "data.bin"
    fetched = fetcher.fetch(request(server.url + "/files/data.bin"), dest, {"sha256": SHA256})
    assert dest.read_bytes() == DATA
    assert fetched.size == len(DATA)
    assert fetched.path == dest
    assert leftovers(dest.parent) == ["data.bin"]  # no temporary file left
    (record,) = [r for r in server.requests if r.path == "/files/data.bin"]
    assert record.status == 200
    assert record.user_agent == "puffin-test"
    assert record.range is None
    assert record.headers.get("Accept-Encoding") == "identity"


def test_files_of_one_server_share_a_kept_alive_connection(
    server: StaticIndexServer, fetcher: PlainFetcher, tmp_path: Path
) -> None:
    first = fetcher.fetch(request(server.url + "/files/data.bin"), tmp_path / "a", {})
    second = fetcher.fetch(request(server.url + "/files/other.bin"), tmp_path / "b", {})
    assert (first.reused_connection, second.reused_connection) == (False, True)
    assert (tmp_path / "b").read_bytes() == DATA[:1000]


def test_a_kept_connection_the_server_dropped_is_replaced_once(
    server: StaticIndexServer, fetcher: PlainFetcher, tmp_path: Path
) -> None:
    fetcher.fetch(request(server.url + "/files/other.bin"), tmp_path / "a", {})
    server.faults.add("/files/data.bin", "drop")  # read the request, close, no answer
    fetched = fetcher.fetch(request(server.url + "/files/data.bin"), tmp_path / "b", {})
    assert (tmp_path / "b").read_bytes() == DATA
    assert fetched.reused_connection is False
    statuses = [r.status for r in server.requests if r.path == "/files/data.bin"]
    assert statuses == [None, 200]


def test_index_hashes_in_any_case_check_the_file(
    server: StaticIndexServer, fetcher: PlainFetcher, tmp_path: Path
) -> None:
    """An index may spell the algorithm and the digest in capitals (the simple API does not
    say); both ways of downloading compare the normalized form."""
    given = [("SHA256", f" {SHA256.upper()} ")]
    assert normalized_hashes(given) == {"sha256": SHA256}
    dest = tmp_path / "data.bin"
    fetcher.fetch(request(server.url + "/files/data.bin"), dest, normalized_hashes(given))
    assert dest.read_bytes() == DATA


def test_a_hash_mismatch_leaves_nothing(
    server: StaticIndexServer, fetcher: PlainFetcher, tmp_path: Path
) -> None:
    dest = tmp_path / "out" / "data.bin"
    with pytest.raises(PlainFetchError, match="sha256 hash does not match"):
        fetcher.fetch(request(server.url + "/files/data.bin"), dest, {"sha256": "0" * 64})
    assert leftovers(dest.parent) == []


@pytest.mark.parametrize(
    ("fault", "message"),
    [(404, "HTTP 404"), (503, "HTTP 503"), ("truncate", r"the body has \d+ bytes, not \d+")],
)
def test_anything_but_a_whole_200_is_an_error(
    server: StaticIndexServer, fetcher: PlainFetcher, tmp_path: Path, fault: Any, message: str
) -> None:
    server.faults.add("/files/data.bin", fault)
    dest = tmp_path / "out" / "data.bin"
    with pytest.raises(PlainFetchError, match=message):
        fetcher.fetch(request(server.url + "/files/data.bin"), dest, {"sha256": SHA256})
    assert leftovers(dest.parent) == []
    # The fetcher is still usable: the next file comes over a new connection.
    fetcher.fetch(request(server.url + "/files/data.bin"), dest, {"sha256": SHA256})
    assert dest.read_bytes() == DATA


def test_a_server_that_is_not_there(fetcher: PlainFetcher, tmp_path: Path) -> None:
    with StaticIndexServer(tmp_path / "root") as gone:
        url = gone.url + "/files/data.bin"
    with pytest.raises(PlainFetchError, match="GET failed"):
        fetcher.fetch(request(url), tmp_path / "out.bin", {})


def test_https_trusts_what_the_command_trusts(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "data.bin").write_bytes(DATA)
    ca = LocalCA(tmp_path / "ca")
    with HypercornServer(static_files_app(root), ca=ca) as served:
        url = served.url + "/data.bin"
        trusted = request(url, cert_file=str(ca.ca_pem))
        fetcher = PlainFetcher()
        fetcher.fetch(trusted, tmp_path / "ok.bin", {"sha256": SHA256})
        # Closed before the server stops, which would otherwise leave its side of the
        # kept-alive connection waiting.
        fetcher.close()
        assert (tmp_path / "ok.bin").read_bytes() == DATA
        # The system's trust store does not know the test's authority.
        untrusting = PlainFetcher()
        with pytest.raises(PlainFetchError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusting.fetch(request(url), tmp_path / "no.bin", {})
        untrusting.close()
        assert not (tmp_path / "no.bin").exists()


# --------------------------------------------------------------------------- plain_request


def plain_request(
    url: str, *, environ: dict[str, str], options: ClientOptions | None = None
) -> PlainRequest | None:
    async def main() -> PlainRequest | None:
        async with open_client(
            options or ClientOptions(), cache_dir=None, environ=environ
        ) as client:
            return client.plain_request(url)

    return asyncio.run(main())


def test_a_plain_request_carries_the_clients_settings(tmp_path: Path) -> None:
    ca = LocalCA(tmp_path / "ca")
    options = ClientOptions(timeout=7.5, user_agent="agent/1")
    got = plain_request("https://files.example/a.whl", environ=ca.environ, options=options)
    assert got == PlainRequest(
        url="https://files.example/a.whl",
        timeout=7.5,
        user_agent="agent/1",
        cert_file=str(ca.ca_pem),
        cert_dir=None,
    )


@pytest.mark.parametrize(
    ("url", "environ", "options"),
    [
        ("https://files.example/a.whl", {}, ClientOptions(offline=True)),
        ("https://files.example/a.whl", {"HTTPS_PROXY": "http://proxy.example:3128"}, None),
        ("https://files.example/a.whl", {"ALL_PROXY": "http://proxy.example:3128"}, None),
        ("https://user:secret@files.example/a.whl", {}, None),
        ("https://token@files.example/a.whl", {}, None),
        ("ftp://files.example/a.whl", {}, None),
    ],
    ids=["offline", "https-proxy", "all-proxy", "password", "user", "not-http"],
)
def test_no_plain_request_when_a_bare_get_would_differ(
    url: str, environ: dict[str, str], options: ClientOptions | None
) -> None:
    assert plain_request(url, environ=environ, options=options) is None


def test_no_plain_request_for_a_host_with_netrc_credentials(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine files.example login me password secret\n")
    environ = {"NETRC": str(netrc)}
    assert plain_request("https://files.example/a.whl", environ=environ) is None
    assert plain_request("https://other.example/a.whl", environ=environ) is not None


def test_no_proxy_alone_does_not_stop_plain_requests() -> None:
    environ = {"NO_PROXY": "internal.example"}
    assert plain_request("https://files.example/a.whl", environ=environ) is not None
