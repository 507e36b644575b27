"""puffin.testing.index over HTTP: the servers, with real clients (http.client, pip, uv)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from puffin.testing.dists import MakeSdist, MakeWheel
from puffin.testing.index import (
    HTML_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    Fault,
    FaultQueue,
    LocalIndex,
    LocalIndexFactory,
    StaticIndexServer,
    write_flat_html,
)

PIP = [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "--no-input"]
PIP_ACCEPT = f"{JSON_CONTENT_TYPE}, {HTML_CONTENT_TYPE}; q=0.1, text/html; q=0.01"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


def fetch(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, timeout: float = 10
) -> Reply:
    parts = urlsplit(url)
    assert parts.hostname is not None
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


def is_running(server: StaticIndexServer) -> bool:
    # A call, not the property: mypy would otherwise keep the narrowing from a prior assert.
    return server.running


def pip(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*PIP, *args], capture_output=True, text=True, cwd=cwd, check=False)
    assert result.returncode == 0, f"pip {args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def index(
    local_index: LocalIndexFactory, make_wheel: MakeWheel, make_sdist: MakeSdist
) -> LocalIndex:
    return local_index(
        [
            make_wheel("demo", "1.0", requires_python=">=3.8"),
            make_wheel("demo", "2.0"),
            make_sdist("demo", "2.0"),
        ]
    )


# --------------------------------------------------------------------------- lifecycle


def test_server_lifecycle(tmp_path: Path) -> None:
    (tmp_path / "hello.txt").write_text("hello")
    server = StaticIndexServer(tmp_path)
    with pytest.raises(RuntimeError):
        _ = server.url
    with server:
        assert server.running
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.simple_url == f"{server.url}/simple/"
        assert fetch(f"{server.url}/hello.txt").body == b"hello"
        with pytest.raises(RuntimeError):
            server.start()
        port = server.port
    assert not is_running(server)
    server.stop()  # idempotent
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=2),
    ):
        pass


def test_stop_closes_keep_alive_connections(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    server = StaticIndexServer(tmp_path).start()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/a.txt")
    response = connection.getresponse()
    assert response.read() == b"a"
    assert response.getheader("Connection") != "close"  # HTTP/1.1 keep-alive
    connection.request("GET", "/a.txt")  # same connection, second request
    assert connection.getresponse().read() == b"a"
    server.stop()
    with pytest.raises((http.client.HTTPException, OSError)):
        connection.request("GET", "/a.txt")
        connection.getresponse().read()
    connection.close()


# --------------------------------------------------------------------------- negotiation


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "text/html; charset=utf-8"),
        ("text/html", "text/html; charset=utf-8"),
        (HTML_CONTENT_TYPE, HTML_CONTENT_TYPE),
        (JSON_CONTENT_TYPE, JSON_CONTENT_TYPE),
        (PIP_ACCEPT, JSON_CONTENT_TYPE),
        (f"{JSON_CONTENT_TYPE};q=0.2, text/html;q=0.8", "text/html; charset=utf-8"),
    ],
)
@pytest.mark.parametrize("path", ["/simple/", "/simple/demo/"])
def test_content_negotiation(
    index: LocalIndex, accept: str | None, content_type: str, path: str
) -> None:
    reply = fetch(index.url + path, headers={"Accept": accept} if accept else {})
    assert reply.status == 200
    assert reply.headers["content-type"] == content_type
    assert reply.headers["vary"] == "Accept"
    assert int(reply.headers["content-length"]) == len(reply.body)
    if content_type == JSON_CONTENT_TYPE:
        document = reply.json()
        assert isinstance(document, dict)
        assert document["meta"]["api-version"] == "1.1"
    else:
        assert reply.body.startswith(b"<!DOCTYPE html>")


def test_legacy_index_ignores_accept(local_index: LocalIndexFactory, make_wheel: MakeWheel) -> None:
    server = local_index([make_wheel("old", "1.0")], serve_json=False)
    reply = fetch(server.url + "/simple/old/", headers={"Accept": JSON_CONTENT_TYPE})
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"


def test_redirects(index: LocalIndex) -> None:
    reply = fetch(index.url + "/simple/demo")
    assert (reply.status, reply.headers["location"]) == (301, "/simple/demo/")
    reply = fetch(index.url + "/simple")
    assert (reply.status, reply.headers["location"]) == (301, "/simple/")
    # PEP 503: unnormalized names lead to the normalized page.
    reply = fetch(index.url + "/simple/DEMO/?x=1")
    assert (reply.status, reply.headers["location"]) == (301, "/simple/demo/?x=1")


@pytest.mark.parametrize(
    "path", ["/simple/missing/", "/files/nothing.whl", "/../../etc/passwd", "/%2e%2e/secret"]
)
def test_missing_is_404(index: LocalIndex, path: str) -> None:
    (index.root.parent / "secret").write_text("outside the root")
    reply = fetch(index.url + path)
    assert reply.status == 404
    assert b"outside" not in reply.body


# --------------------------------------------------------------------------- links


def _links_from_html(page: str) -> list[str]:
    import html.parser

    class Parser(html.parser.HTMLParser):
        hrefs: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self.hrefs.append(dict(attrs)["href"] or "")

    parser = Parser()
    parser.hrefs = []
    parser.feed(page)
    return parser.hrefs


@pytest.mark.parametrize("relative", [True, False])
def test_links_resolve_and_hashes_match(
    local_index: LocalIndexFactory, make_wheel: MakeWheel, relative: bool
) -> None:
    wheel = make_wheel("links", "1.0+local")
    server = local_index([wheel], relative_urls=relative)
    page_url = server.simple_url + "links/"
    (href,) = _links_from_html(fetch(page_url).body.decode())
    url, _, fragment = href.partition("#")
    assert url.startswith("../../files/") if relative else url.startswith(server.url + "/files/")
    download = fetch(urljoin(page_url, url))
    assert download.status == 200
    assert download.body == wheel.read_bytes()
    assert fragment == f"sha256={hashlib.sha256(download.body).hexdigest()}"

    document = fetch(page_url, headers={"Accept": JSON_CONTENT_TYPE}).json()
    assert isinstance(document, dict)
    (entry,) = document["files"]
    download = fetch(urljoin(page_url, entry["url"]))
    assert hashlib.sha256(download.body).hexdigest() == entry["hashes"]["sha256"]
    metadata = fetch(urljoin(page_url, entry["url"]) + ".metadata")
    assert metadata.status == 200
    assert hashlib.sha256(metadata.body).hexdigest() == entry["core-metadata"]["sha256"]
    assert b"Name: links" in metadata.body


def test_add_and_yank_while_serving(local_index: LocalIndexFactory, make_wheel: MakeWheel) -> None:
    server = local_index([make_wheel("live", "1.0")])

    def versions() -> object:
        document = fetch(server.simple_url + "live/", headers={"Accept": JSON_CONTENT_TYPE}).json()
        assert isinstance(document, dict)
        return document["versions"], [f["yanked"] for f in document["files"]]

    assert versions() == (["1.0"], [False])
    server.add(make_wheel("live", "1.1"))
    assert versions() == (["1.0", "1.1"], [False, False])
    server.yank("live-1.1-py3-none-any.whl", "bad")
    assert versions() == (["1.0", "1.1"], [False, "bad"])
    server.unyank("live-1.1-py3-none-any.whl")
    assert versions() == (["1.0", "1.1"], [False, False])


# --------------------------------------------------------------------------- range, head, etag


def test_range_and_head(index: LocalIndex) -> None:
    url = index.url + "/files/demo-1.0-py3-none-any.whl"
    data = (index.root / "files/demo-1.0-py3-none-any.whl").read_bytes()
    size = len(data)

    head = fetch(url, method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert int(head.headers["content-length"]) == size
    assert head.headers["accept-ranges"] == "bytes"
    assert head.headers["content-type"] == "application/octet-stream"

    part = fetch(url, headers={"Range": "bytes=10-19"})
    assert part.status == 206
    assert part.body == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{size}"
    assert part.headers["content-length"] == "10"

    tail = fetch(url, headers={"Range": "bytes=-22"})  # the zip end-of-central-directory
    assert (tail.status, tail.body) == (206, data[-22:])
    assert tail.headers["content-range"] == f"bytes {size - 22}-{size - 1}/{size}"

    rest = fetch(url, headers={"Range": f"bytes={size - 5}-"})
    assert (rest.status, rest.body) == (206, data[-5:])

    beyond = fetch(url, headers={"Range": f"bytes={size - 5}-{size + 100}"})
    assert (beyond.status, beyond.body) == (206, data[-5:])

    head_range = fetch(url, method="HEAD", headers={"Range": "bytes=0-99"})
    assert (head_range.status, head_range.body, head_range.headers["content-length"]) == (
        206,
        b"",
        "100",
    )

    unsatisfiable = fetch(url, headers={"Range": f"bytes={size}-"})
    assert unsatisfiable.status == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{size}"

    # Several ranges at once are optional for a server: the whole file is a valid answer.
    multi = fetch(url, headers={"Range": "bytes=0-1,5-6"})
    assert (multi.status, multi.body) == (200, data)


def test_etag_revalidation(index: LocalIndex) -> None:
    url = index.simple_url + "demo/"
    first = fetch(url)
    etag = first.headers["etag"]
    again = fetch(url, headers={"If-None-Match": etag})
    assert (again.status, again.body) == (304, b"")
    as_json = fetch(url, headers={"Accept": JSON_CONTENT_TYPE})
    assert as_json.headers["etag"] != etag  # a different representation


# --------------------------------------------------------------------------- access log


def test_access_log(index: LocalIndex) -> None:
    index.clear_log()
    fetch(
        index.simple_url + "demo/", headers={"Accept": JSON_CONTENT_TYPE, "User-Agent": "probe/1"}
    )
    fetch(index.url + "/files/demo-1.0-py3-none-any.whl", headers={"Range": "bytes=0-3"})
    fetch(index.url + "/files/demo-1.0-py3-none-any.whl", method="HEAD")
    fetch(index.url + "/files/absent.whl?x=1")
    records = index.requests
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/simple/demo/", 200),
        ("GET", "/files/demo-1.0-py3-none-any.whl", 206),
        ("HEAD", "/files/demo-1.0-py3-none-any.whl", 200),
        ("GET", "/files/absent.whl", 404),
    ]
    assert records[0].accept == JSON_CONTENT_TYPE
    assert records[0].user_agent == "probe/1"
    assert records[0].headers["User-Agent"] == "probe/1"
    assert records[1].range == "bytes=0-3"
    assert records[3].query == "x=1"
    assert not any(r.authorization for r in records)
    assert index.count(".whl") == 3
    assert index.count(".whl", method="head") == 1
    assert index.count(".whl", status=404) == 1
    assert index.count(lambda r: r.range is not None) == 1
    assert index.count() == 4
    index.clear_log()
    assert index.requests == []


def test_access_log_is_thread_safe(index: LocalIndex) -> None:
    index.clear_log()
    url = index.url + "/files/demo-2.0.tar.gz"

    def worker() -> None:
        for _ in range(10):
            assert fetch(url).status == 200

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert index.count("demo-2.0.tar.gz", status=200) == 50


# --------------------------------------------------------------------------- auth


def test_basic_auth(local_index: LocalIndexFactory, make_wheel: MakeWheel, tmp_path: Path) -> None:
    server = local_index([make_wheel("secret", "1.0")], auth=("alice", "s3cr:t"))
    denied = fetch(server.simple_url)
    assert denied.status == 401
    assert denied.headers["www-authenticate"].startswith("Basic realm=")

    def basic(user: str, password: str) -> dict[str, str]:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    assert fetch(server.simple_url, headers=basic("alice", "wrong")).status == 401
    assert fetch(server.simple_url, headers={"Authorization": "Bearer x"}).status == 401
    assert fetch(server.simple_url, headers=basic("alice", "s3cr:t")).status == 200
    assert [r.authorization for r in server.requests] == [False, True, True, True]
    assert server.requests[1].headers["Authorization"] == "<redacted>"

    # A real client with credentials in the index URL.
    assert "alice:s3cr%3At@" in server.simple_url_with_credentials
    pip("download", "--no-cache-dir", "--no-deps", "-d", str(tmp_path / "dl"), "--index-url",
        server.simple_url_with_credentials, "secret")  # fmt: skip
    assert (tmp_path / "dl/secret-1.0-py3-none-any.whl").exists()


# --------------------------------------------------------------------------- faults


def test_fault_shorthands() -> None:
    assert Fault.parse("drop") == Fault("drop")
    assert Fault.parse(("drop", 3)) == Fault("drop", times=3)
    assert Fault.parse("truncate") == Fault("truncate")
    assert Fault.parse("503") == Fault("status", status=503)
    assert Fault.parse(502) == Fault("status", status=502)
    assert Fault.parse(("500", 2)) == Fault("status", times=2, status=500)
    assert Fault.parse(("stall", 0.5)) == Fault("stall", seconds=0.5)
    for bad in ("explode", ("explode", 1), True):
        with pytest.raises((ValueError, TypeError)):
            Fault.parse(bad)
    with pytest.raises(ValueError):
        Fault("status", times=0)

    queue = FaultQueue()
    queue.add("/a", ("500", 2))
    queue.add("", "drop")
    assert len(queue) == 2
    assert queue.take("/x/a") == Fault("status", times=2)
    assert queue.pending()[0][2] == 1
    assert queue.take("/a") == Fault("status", times=2)
    assert queue.take("/a") == Fault("drop")  # "" matches everything
    assert queue.take("/a") is None
    queue.add("/b", "drop")
    queue.clear()
    assert queue.take("/b") is None


def test_status_fault_n_times_then_normal(index: LocalIndex) -> None:
    index.faults.add("/simple/demo/", ("500", 2))
    index.faults.add("demo-2.0.tar.gz", 503)
    assert fetch(index.simple_url + "demo/").status == 500
    assert fetch(index.simple_url).status == 200  # other paths are unaffected
    assert fetch(index.simple_url + "demo/").status == 500
    assert fetch(index.simple_url + "demo/").status == 200
    assert fetch(index.url + "/files/demo-2.0.tar.gz").status == 503
    assert fetch(index.url + "/files/demo-2.0.tar.gz").status == 200
    assert [r.fault for r in index.requests] == ["status", None, "status", None, "status", None]
    assert len(index.faults) == 0


def test_drop_fault(index: LocalIndex) -> None:
    index.faults.add("/simple/demo/", "drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        fetch(index.simple_url + "demo/")
    assert fetch(index.simple_url + "demo/").status == 200
    dropped, served = index.requests
    assert (dropped.status, dropped.fault) == (None, "drop")
    assert (served.status, served.fault) == (200, None)


def test_truncate_fault(index: LocalIndex) -> None:
    path = "/files/demo-1.0-py3-none-any.whl"
    full = (index.root / path.lstrip("/")).read_bytes()
    index.faults.add(path, "truncate")
    with pytest.raises(http.client.IncompleteRead) as caught:
        fetch(index.url + path)
    assert caught.value.partial == full[: len(full) // 2]
    assert caught.value.expected == len(full) - len(full) // 2
    assert fetch(index.url + path).body == full
    assert index.requests[0].fault == "truncate"


def test_stall_fault(index: LocalIndex) -> None:
    index.faults.add("/simple/", ("stall", 1.0))
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        fetch(index.simple_url, timeout=0.2)
    assert time.monotonic() - started < 0.9
    # The next request is not stalled (the fault was one-shot).
    index.faults.add("/simple/", ("stall", 0.3))
    started = time.monotonic()
    assert fetch(index.simple_url, timeout=5).status == 200
    assert time.monotonic() - started >= 0.3


def test_stop_cuts_a_stall_short(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    server = StaticIndexServer(tmp_path).start()
    server.faults.add("/x", ("stall", 30))

    def client() -> None:
        # Either outcome is fine (answered as the stall ends, or cut off): it must not hang.
        with contextlib.suppress(OSError, http.client.HTTPException):
            fetch(server.url + "/x", timeout=10)

    thread = threading.Thread(target=client)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- real clients


def test_pip_downloads_from_json_index_with_metadata(
    local_index: LocalIndexFactory, make_wheel: MakeWheel, tmp_path: Path
) -> None:
    server = local_index(
        [
            make_wheel("app", "1.0", requires_dist=["lib>=2"]),
            make_wheel("lib", "2.0"),
            make_wheel("lib", "1.0"),
        ]
    )
    pip(
        "download",
        "--no-cache-dir",
        "-d",
        str(tmp_path / "dl"),
        "--index-url",
        server.simple_url,
        "app",
    )
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == [
        "app-1.0-py3-none-any.whl",
        "lib-2.0-py3-none-any.whl",
    ]
    page_requests = [r for r in server.requests if r.path.startswith("/simple/")]
    assert page_requests
    assert all(r.accept == PIP_ACCEPT for r in page_requests)
    # pip used PEP 658 metadata files before downloading the wheels.
    assert server.count("app-1.0-py3-none-any.whl.metadata") == 1
    assert server.count("lib-2.0-py3-none-any.whl.metadata") == 1


def test_pip_reads_html_index_and_skips_yanked(
    local_index: LocalIndexFactory, make_wheel: MakeWheel, tmp_path: Path
) -> None:
    server = local_index(
        [make_wheel("yk", "1.0"), make_wheel("yk", "2.0")],
        yanked={"yk-2.0-py3-none-any.whl": "broken"},
        serve_json=False,
    )
    pip(
        "download",
        "--no-cache-dir",
        "--no-deps",
        "-d",
        str(tmp_path / "dl"),
        "--index-url",
        server.simple_url,
        "yk",
    )
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["yk-1.0-py3-none-any.whl"]
    # A yanked file is still chosen when pinned exactly (PEP 592).
    result = pip("download", "--no-cache-dir", "--no-deps", "-d", str(tmp_path / "pinned"),
                 "--index-url", server.simple_url, "yk==2.0")  # fmt: skip
    assert "yanked" in result.stdout + result.stderr
    assert [p.name for p in (tmp_path / "pinned").iterdir()] == ["yk-2.0-py3-none-any.whl"]


def test_pip_honours_requires_python(
    local_index: LocalIndexFactory, make_wheel: MakeWheel, tmp_path: Path
) -> None:
    server = local_index([make_wheel("rp", "1.0"), make_wheel("rp", "2.0", requires_python=">=99")])
    pip(
        "download",
        "--no-cache-dir",
        "--no-deps",
        "-d",
        str(tmp_path / "dl"),
        "--index-url",
        server.simple_url,
        "rp",
    )
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["rp-1.0-py3-none-any.whl"]
    assert server.count("rp-2.0-py3-none-any.whl") == 0


def test_pip_find_links_url(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("fl", "1.0")
    write_flat_html(tmp_path / "site", [wheel])
    with StaticIndexServer(tmp_path / "site") as server:
        pip("download", "--no-cache-dir", "--no-deps", "--no-index", "-d", str(tmp_path / "dl"),
            "--find-links", server.url + "/", "fl")  # fmt: skip
        assert server.count("/", method="GET", status=200) >= 1
    assert (tmp_path / "dl" / wheel.name).read_bytes() == wheel.read_bytes()


def test_pip_find_links_directory(
    find_links_dir: object, make_wheel: MakeWheel, tmp_path: Path
) -> None:
    from puffin.testing.index import FlatDirectory

    assert isinstance(find_links_dir, FlatDirectory)
    find_links_dir.add(make_wheel("fld", "1.0"))
    pip("download", "--no-cache-dir", "--no-deps", "--no-index", "-d", str(tmp_path / "dl"),
        "--find-links", os.fspath(find_links_dir), "fld")  # fmt: skip
    assert (tmp_path / "dl/fld-1.0-py3-none-any.whl").exists()


def test_uv_installs_from_index(
    local_index: LocalIndexFactory, make_wheel: MakeWheel, tmp_path: Path
) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    server = local_index(
        [
            make_wheel(
                "uvapp",
                "1.0",
                requires_dist=["uvlib"],
                files={"uvapp/__init__.py": "import uvlib\n"},
            ),
            make_wheel("uvlib", "1.0"),
        ]
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    environ = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_NO_CONFIG": "1"}
    result = subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--python",
            str(venv / "bin/python"),
            "--index-url",
            server.simple_url,
            "uvapp",
        ],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    check = subprocess.run([str(venv / "bin/python"), "-c", "import uvapp"], check=False)
    assert check.returncode == 0
    assert all(
        r.accept and JSON_CONTENT_TYPE in r.accept
        for r in server.requests
        if r.path.startswith("/simple/")
    )
