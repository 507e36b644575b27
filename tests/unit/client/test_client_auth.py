"""Credentials against a real basic-auth server: URL userinfo, .netrc, the provider hook,
failures, and secrets kept out of every log line, reason and exception."""

from __future__ import annotations

import asyncio
import base64
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from puffin.client import ClientOptions, HttpClient, open_client
from puffin.client.redact import redact_text, redact_url
from puffin.errors import PuffinError
from puffin.testing.dists import MakeWheel
from puffin.testing.index import LocalIndex, LocalIndexFactory, StaticIndexServer
from puffin.types.answer import Failed, Found, NotFound
from puffin.types.credentials import Credentials

USER = "alice"
PASSWORD = "s3cr3t/p@ss:word"  # characters that need quoting in a URL
FAST = ClientOptions(timeout=5.0, retries=2, backoff=0.01)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def with_userinfo(url: str, user: str = USER, password: str | None = PASSWORD) -> str:
    info = quote(user, safe="") + ("" if password is None else ":" + quote(password, safe=""))
    return url.replace("http://", f"http://{info}@", 1)


class Provider:
    """A credentials provider recording the URLs it was asked about (thread-safe: the
    client calls it from a worker thread)."""

    def __init__(self, answer: Credentials | None) -> None:
        self.answer = answer
        self.asked: list[str] = []
        self.usernames: list[str | None] = []
        self._lock = threading.Lock()

    def __call__(self, url: str, username: str | None) -> Credentials | None:
        with self._lock:
            self.asked.append(url)
            self.usernames.append(username)
        return self.answer


async def _with_client(
    action: Any,
    *,
    options: ClientOptions = FAST,
    provider: Provider | None = None,
    environ: dict[str, str] | None = None,
    lines: list[str] | None = None,
) -> Any:
    async with open_client(
        options,
        cache_dir=None,
        credentials=provider,
        environ=environ if environ is not None else {},
        log=None if lines is None else lines.append,
    ) as client:
        return await action(client)


@pytest.fixture
def index(local_index: LocalIndexFactory, make_wheel: MakeWheel) -> LocalIndex:
    return local_index([make_wheel("demo", "1.0")], auth=(USER, PASSWORD))


def wheel_url(index: LocalIndex) -> str:
    return index.url + "/files/demo-1.0-py3-none-any.whl"


# --------------------------------------------------------------------------- sources


def test_userinfo_is_sent_and_carried_to_files_on_the_host(
    index: LocalIndex, tmp_path: Path
) -> None:
    async def action(client: HttpClient) -> list[Any]:
        page = await client.get(with_userinfo(index.simple_url + "demo/"))
        # The file URL has no userinfo: the index page's credentials go with it.
        metadata = await client.get(wheel_url(index) + ".metadata")
        wheel = await client.download(wheel_url(index), tmp_path / "demo.whl")
        size = await client.content_length(wheel_url(index))
        return [page, metadata, wheel, size, client.stats.requests]

    page, metadata, wheel, size, requests = run(_with_client(action))
    assert isinstance(page, Found)
    assert page.value.url == index.simple_url + "demo/"  # userinfo never in Response.url
    assert isinstance(metadata, Found)
    assert wheel == Found(tmp_path / "demo.whl")
    assert isinstance(size, Found) and size.value
    assert requests == 4  # credentials went out first time, no 401 round trips
    assert all(r.authorization and r.status in (200, 206) for r in index.requests)


def test_credentials_are_per_origin(index: LocalIndex, tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("x")
    with StaticIndexServer(tmp_path / "other") as other:  # same host, another port

        async def action(client: HttpClient) -> list[Any]:
            return [
                await client.get(with_userinfo(index.simple_url)),
                await client.get(other.url + "/x.txt"),
            ]

        first, second = run(_with_client(action))
        assert isinstance(first, Found) and isinstance(second, Found)
        [record] = other.requests
        assert not record.authorization


def test_netrc(index: LocalIndex, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1\n  login {USER}\n  password {PASSWORD}\n")
    netrc.chmod(0o600)

    async def action(client: HttpClient) -> Any:
        return await client.get(index.simple_url + "demo/")

    answer = run(_with_client(action, environ={"NETRC": str(netrc)}))
    assert isinstance(answer, Found)
    assert [r.status for r in index.requests] == [200]  # sent at once, not after a 401


def test_netrc_in_home_and_default_entry(index: LocalIndex, tmp_path: Path) -> None:
    (tmp_path / ".netrc").write_text(f"default login {USER} password {PASSWORD}\n")

    answer = run(_with_client(lambda c: c.get(index.simple_url), environ={"HOME": str(tmp_path)}))
    assert isinstance(answer, Found)


def test_malformed_netrc_is_ignored_with_a_log_line(index: LocalIndex, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(
        f"machine 127.0.0.1 login {USER} password {PASSWORD}\nbogus-token {PASSWORD}\n"
    )
    lines: list[str] = []
    answer = run(
        _with_client(lambda c: c.get(index.simple_url), environ={"NETRC": str(netrc)}, lines=lines)
    )
    assert isinstance(answer, Failed)  # unauthenticated: the file was ignored
    assert any("ignoring malformed netrc file" in line and "line 2" in line for line in lines)
    assert not any(PASSWORD in line for line in lines)


def test_provider_after_401(index: LocalIndex) -> None:
    provider = Provider(Credentials(USER, PASSWORD))

    async def action(client: HttpClient) -> list[Any]:
        return [
            await client.get(index.simple_url + "demo/"),
            await client.get(wheel_url(index) + ".metadata"),
        ]

    page, metadata = run(_with_client(action, provider=provider))
    assert isinstance(page, Found) and isinstance(metadata, Found)
    assert provider.asked == [index.simple_url + "demo/"]  # once per host, no userinfo
    assert provider.usernames == [None], "the URL named no user"
    assert [(r.status, r.authorization) for r in index.requests] == [
        (401, False),
        (200, True),
        (200, True),
    ]


def test_provider_asked_once_for_concurrent_401s(index: LocalIndex) -> None:
    provider = Provider(Credentials(USER, PASSWORD))

    async def action(client: HttpClient) -> list[Any]:
        urls = [index.simple_url + "demo/", index.simple_url, wheel_url(index) + ".metadata"]
        return list(await asyncio.gather(*(client.get(u) for u in urls)))

    answers = run(_with_client(action, provider=provider))
    assert all(isinstance(a, Found) for a in answers)
    assert len(provider.asked) == 1


def test_provider_when_url_names_a_user_without_password(index: LocalIndex) -> None:
    provider = Provider(Credentials(USER, PASSWORD))
    answer = run(
        _with_client(
            lambda c: c.get(with_userinfo(index.simple_url, password=None)), provider=provider
        )
    )
    assert isinstance(answer, Found)
    assert provider.asked == [index.simple_url]
    assert provider.usernames == [USER], "the provider hears which user the URL named"
    assert [r.status for r in index.requests] == [200]  # asked before the server said 401


def test_url_credentials_win_over_netrc(index: LocalIndex, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password wrong\n")
    answer = run(
        _with_client(
            lambda c: c.get(with_userinfo(index.simple_url)), environ={"NETRC": str(netrc)}
        )
    )
    assert isinstance(answer, Found)


def test_provider_replaces_wrong_url_credentials(index: LocalIndex) -> None:
    provider = Provider(Credentials(USER, PASSWORD))
    answer = run(
        _with_client(
            lambda c: c.get(with_userinfo(index.simple_url, password="wrong")), provider=provider
        )
    )
    assert isinstance(answer, Found)
    assert [r.status for r in index.requests] == [401, 200]


# --------------------------------------------------------------------------- failures


def test_wrong_password_fails(index: LocalIndex) -> None:
    url = with_userinfo(index.simple_url, password="wrong-password")
    answer = run(_with_client(lambda c: c.get(url), provider=Provider(None)))
    assert isinstance(answer, Failed)
    shown = redact_url(url)
    assert answer.what == shown
    assert answer.reason == f"authentication failed for {shown} (HTTP 401 Unauthorized)"
    assert "wrong-password" not in answer.reason
    assert [r.status for r in index.requests] == [401]  # a 401 is not retried


def test_no_credentials_at_all_fails(index: LocalIndex) -> None:
    answer = run(_with_client(lambda c: c.download(wheel_url(index), Path("/nonexistent/x"))))
    assert isinstance(answer, Failed)
    assert answer.reason.startswith(f"authentication failed for {wheel_url(index)}")


def test_provider_giving_wrong_credentials(index: LocalIndex) -> None:
    provider = Provider(Credentials(USER, "also-wrong"))

    async def action(client: HttpClient) -> list[Any]:
        return [await client.get(index.simple_url), await client.get(index.simple_url + "demo/")]

    first, second = run(_with_client(action, provider=provider))
    assert isinstance(first, Failed) and "authentication failed" in first.reason
    assert isinstance(second, Failed)
    assert len(provider.asked) == 1  # not asked again for the same host


# --------------------------------------------------------------------------- secrets


def _secret_forms() -> list[str]:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return [PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD), token, "wrong-pass-123"]


def test_secrets_never_appear_in_logs_or_answers(index: LocalIndex, tmp_path: Path) -> None:
    lines: list[str] = []
    good = with_userinfo(index.simple_url + "demo/")
    bad = with_userinfo(index.simple_url, password="wrong-pass-123")
    files = with_userinfo(wheel_url(index))
    index.faults.add("/simple/demo/", "500")
    index.faults.add("demo-1.0-py3-none-any.whl", "truncate")
    index.faults.add("demo-1.0-py3-none-any.whl", "drop")

    async def action(client: HttpClient) -> list[Any]:
        return [
            await client.get(good),  # 500, then 200
            await client.get(bad),  # 401
            await client.get(with_userinfo(index.simple_url + "nope/")),  # 404
            await client.download(files, tmp_path / "w.whl", hashes={"sha256": "0" * 64}),
            await client.get_range(files, 0, 10),
            await client.get_range(with_userinfo(index.simple_url), 0, 10),  # 200: no ranges
            await client.content_length(files),
            await client.get(with_userinfo(index.url + "/files/x", password="[bad") + "\x00"),
            await client.get(with_userinfo("http://127.0.0.1:9/unreachable")),
            client.redact(good),
        ]

    options = ClientOptions(timeout=5.0, retries=2, backoff=0.01)
    answers = run(_with_client(action, options=options, lines=lines))
    assert isinstance(answers[0], Found)
    assert isinstance(answers[1], Failed)
    assert isinstance(answers[2], NotFound)
    assert isinstance(answers[3], Failed) and "hash mismatch" in answers[3].reason
    assert isinstance(answers[5], Failed)
    assert isinstance(answers[8], Failed)
    texts = list(lines)
    for answer in answers:
        texts.append(repr(answer))
        texts.extend(str(getattr(answer, field, "")) for field in ("what", "reason"))
    assert len(lines) >= 10, lines
    assert any("alice:****@" in line for line in lines)  # the user name stays visible
    for text in texts:
        for secret in _secret_forms():
            assert secret not in text, (secret, text)


def test_secrets_not_in_exception_messages(tmp_path: Path) -> None:
    environ = {"HTTP_PROXY": f"http://{USER}:{quote(PASSWORD, safe='')}@[::1"}
    with pytest.raises(PuffinError) as caught:
        run(_with_client(lambda c: c.get("http://example.invalid/"), environ=environ))
    for secret in _secret_forms():
        assert secret not in str(caught.value)


# --------------------------------------------------------------------------- redact


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pw@host/simple/", "https://user:****@host/simple/"),
        ("https://user:p%40ss@host:8080/x?y#z", "https://user:****@host:8080/x?y#z"),
        ("https://user:@host/", "https://user:****@host/"),
        ("https://token@host/", "https://****@host/"),
        ("https://host/simple/", "https://host/simple/"),
        ("https://a:b@host/x@y", "https://a:****@host/x@y"),
        ("not a url", "not a url"),
        ("", ""),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_text() -> None:
    text = "failed for https://u:hunter22@h/x and token hunter22 (hunter%2F22 quoted h%2Fx)"
    redacted = redact_text(text, ["hunter22", "hunter/22", ""])
    assert "hunter" not in redacted
    assert "https://u:****@h/x" in redacted
    assert redact_text("abc", []) == "abc"
