"""requirements.txt parsing: includes, preprocessing, options, hashes and error messages."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from puffin.errors import PuffinError
from puffin.requirements import (
    IndexOptions,
    RequirementsError,
    parse_constraints_file,
    parse_requirements_file,
)

SHA_A = "a" * 64
SHA_B = "b" * 64


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def parse(path: Path, **environ: str):
    return parse_requirements_file(path, environ=environ)


def names(entries) -> list[str]:
    return [str(entry.requirement) for entry in entries]


def error_of(path: Path, **environ: str) -> str:
    with pytest.raises(RequirementsError) as caught:
        parse(path, **environ)
    return str(caught.value)


# --- plain requirements ---------------------------------------------------------------------


def test_pep508_requirements_keep_extras_specifiers_and_markers(tmp_path: Path) -> None:
    req = write(
        tmp_path / "requirements.txt",
        """
        Foo[Bar_Baz,qux]>=1.0,<2
        spam ; python_version >= "3.8"
        """,
    )
    parsed = parse(req)
    foo, spam = parsed.requirements
    assert foo.requirement is not None and foo.requirement.name == "Foo"
    assert str(foo.requirement.specifier) == "<2,>=1.0"
    assert foo.extras == ("bar-baz", "qux")  # PEP 685 normalized
    assert foo.name == "foo"
    assert foo.url_or_path is None and not foo.editable and foo.hashes == ()
    assert str(spam.marker) == 'python_version >= "3.8"'
    assert spam.marker == spam.requirement.marker
    assert [e.origin.line for e in parsed.requirements] == [1, 2]
    assert parsed.constraints == () and parsed.index == IndexOptions()


def test_entry_text_is_the_stripped_line_without_comment(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "   foo==1   # pinned for reasons\n")
    (entry,) = parse(req).requirements
    assert entry.text == "foo==1"
    assert str(entry) == "foo==1"


def test_blank_lines_and_full_line_comments_are_skipped(tmp_path: Path) -> None:
    req = write(
        tmp_path / "r.txt",
        """
        # a comment

           # an indented comment
        foo
        """,
    )
    parsed = parse(req)
    assert names(parsed.requirements) == ["foo"]
    assert parsed.requirements[0].origin.line == 4


# --- includes -------------------------------------------------------------------------------


def test_nested_requirement_files_resolve_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path / "reqs" / "base.txt", "-r deeper/more.txt\nbase-pkg\n")
    write(tmp_path / "reqs" / "deeper" / "more.txt", "more-pkg\n")
    top = write(tmp_path / "requirements.txt", "--requirement reqs/base.txt\ntop-pkg\n")
    parsed = parse(top)
    assert names(parsed.requirements) == ["more-pkg", "base-pkg", "top-pkg"]
    assert parsed.requirements[0].origin.path == tmp_path / "reqs" / "deeper" / "more.txt"
    assert parsed.requirements[1].origin.line == 2


def test_constraint_file_entries_are_constraints_including_its_nested_r(tmp_path: Path) -> None:
    write(tmp_path / "c" / "constraints.txt", "-r more.txt\nbar<2\n")
    write(tmp_path / "c" / "more.txt", "baz==3\n")
    top = write(tmp_path / "requirements.txt", "foo\n-c c/constraints.txt\n")
    parsed = parse(top)
    assert names(parsed.requirements) == ["foo"]
    assert names(parsed.constraints) == ["baz==3", "bar<2"]


def test_parse_constraints_file_makes_everything_a_constraint(tmp_path: Path) -> None:
    constraints = write(tmp_path / "constraints.txt", "foo<2\n-r other.txt\n")
    write(tmp_path / "other.txt", "bar==1\n")
    parsed = parse_constraints_file(constraints, environ={})
    assert parsed.requirements == ()
    assert names(parsed.constraints) == ["foo<2", "bar==1"]


def test_a_file_included_twice_without_a_cycle_is_fine(tmp_path: Path) -> None:
    write(tmp_path / "common.txt", "common\n")
    write(tmp_path / "a.txt", "-r common.txt\n")
    write(tmp_path / "b.txt", "-r common.txt\n")
    top = write(tmp_path / "requirements.txt", "-r a.txt\n-r b.txt\n")
    assert names(parse(top).requirements) == ["common", "common"]


def test_include_cycle_is_an_error_showing_the_chain(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", "foo\n-r b.txt\n")
    write(tmp_path / "b.txt", "# includes a\n-r ./a.txt\n")
    message = error_of(Path("a.txt"))
    assert message.startswith("b.txt:2: ")
    assert "cycle: a.txt -> b.txt -> a.txt" in message
    assert "'-r ./a.txt'" in message


def test_a_file_including_itself_is_a_cycle(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "-c r.txt\n")
    assert "cycle" in error_of(req)


def test_missing_included_file_is_reported_at_the_including_line(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "requirements.txt", "foo\n-r sub/missing.txt\n")
    message = error_of(Path("requirements.txt"))
    assert message == (
        "requirements.txt:2: requirements file 'sub/missing.txt' not found "
        "(in '-r sub/missing.txt')"
    )


def test_missing_top_level_file_names_the_file(tmp_path: Path) -> None:
    message = error_of(tmp_path / "nope.txt")
    assert "nope.txt" in message and "not found" in message


def test_requirements_file_by_url_is_rejected(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "-r https://example.com/reqs.txt\n")
    assert "by URL are not supported" in error_of(req)


# --- preprocessing ------------------------------------------------------------------------------


def test_continuation_lines_are_joined_and_reported_at_their_first_line(tmp_path: Path) -> None:
    req = write(
        tmp_path / "r.txt",
        """
        first
        foo>=1,\\
            <2 \\
            ; python_version > "3"
        last
        """,
    )
    parsed = parse(req)
    assert names(parsed.requirements) == ["first", 'foo<2,>=1; python_version > "3"', "last"]
    assert [e.origin.line for e in parsed.requirements] == [1, 2, 5]


def test_full_line_comment_ends_a_continuation_like_pip(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "foo \\\n# explains foo\nbar\n")
    assert names(parse(req).requirements) == ["foo", "bar"]


def test_hash_sign_without_preceding_space_is_not_a_comment(tmp_path: Path) -> None:
    req = write(
        tmp_path / "r.txt",
        f"""
        foo @ https://example.com/foo-1.0.tar.gz#sha256={SHA_A}  # real comment
        -e git+https://example.com/bar.git#egg=bar
        """,
    )
    foo, bar = parse(req).requirements
    assert foo.url_or_path == f"https://example.com/foo-1.0.tar.gz#sha256={SHA_A}"
    assert bar.url_or_path == "git+https://example.com/bar.git#egg=bar"


def test_environment_variables_in_brace_form_are_expanded(tmp_path: Path) -> None:
    req = write(
        tmp_path / "r.txt",
        """
        --index-url https://${USER_1}:${TOKEN}@example.com/simple
        foo==${VERSION}
        bar @ https://example.com/${UNSET_VAR}/bar.whl
        baz @ https://example.com/$VERSION/${lower}/baz.whl
        """,
    )
    parsed = parse(req, USER_1="me", TOKEN="s3cret", VERSION="1.2", lower="no")
    assert parsed.index.index_url == "https://me:s3cret@example.com/simple"
    foo, bar, baz = parsed.requirements
    assert str(foo.requirement) == "foo==1.2"
    assert foo.text == "foo==${VERSION}"  # the line as written
    assert bar.url_or_path == "https://example.com/${UNSET_VAR}/bar.whl"
    # Only ${UPPER_CASE} is a variable, as in pip.
    assert baz.url_or_path == "https://example.com/$VERSION/${lower}/baz.whl"


def test_error_messages_quote_the_line_before_expansion(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "foo>>${SECRET}\n")
    message = error_of(req, SECRET="hunter2")
    assert "hunter2" not in message
    assert "'foo>>${SECRET}'" in message


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    req = tmp_path / "r.txt"
    req.write_bytes(b"\xef\xbb\xbffoo==1\n")
    assert names(parse(req).requirements) == ["foo==1"]


# --- hashes ---------------------------------------------------------------------------------


def test_hashes_in_both_spellings_across_continuations(tmp_path: Path) -> None:
    req = write(
        tmp_path / "r.txt",
        f"""
        foo==1.0 \\
            --hash=sha256:{SHA_A.upper()} \\
            --hash sha256:{SHA_B}
        bar==2.0
        """,
    )
    foo, bar = parse(req).requirements
    assert foo.hashes == (f"sha256:{SHA_A}", f"sha256:{SHA_B}")
    assert str(foo.requirement) == "foo==1.0"
    assert bar.hashes == ()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("md5:0123", "ALGORITHM one of sha256, sha384, sha512"),
        (SHA_A, "expected ALGORITHM:DIGEST"),
        ("sha256:abc", "a sha256 digest is 64 hexadecimal digits"),
        ("sha512:" + "z" * 128, "a sha512 digest is 128 hexadecimal digits"),
    ],
)
def test_invalid_hash_is_an_error(tmp_path: Path, value: str, problem: str) -> None:
    req = write(tmp_path / "r.txt", f"foo==1 --hash={value}\n")
    message = error_of(req)
    assert f"r.txt:1: invalid hash '{value}'" in message
    assert problem in message
    assert f"'foo==1 --hash={value}'" in message


def test_hash_on_a_line_without_requirement_is_an_error(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", f"foo\n--hash=sha256:{SHA_A}\n")
    message = error_of(req)
    assert ":2: --hash must follow a requirement" in message


# --- options --------------------------------------------------------------------------------


def test_index_options_in_all_spellings(tmp_path: Path) -> None:
    req = write(
        tmp_path / "sub" / "r.txt",
        """
        -i https://first.example/simple
        --index-url=https://second.example/simple
        --extra-index-url https://extra.example/simple --extra-index-url=https://more.example
        --extra-index-url https://extra.example/simple
        -f ./wheels
        --find-links=https://links.example/
        --no-index
        """,
    )
    index = parse(req).index
    assert index == IndexOptions(
        index_url="https://second.example/simple",
        extra_index_urls=("https://extra.example/simple", "https://more.example"),
        find_links=(str(tmp_path / "sub" / "wheels"), "https://links.example/"),
        no_index=True,
    )


def test_index_options_from_included_files_merge_in_order(tmp_path: Path) -> None:
    write(tmp_path / "inner.txt", "-i https://inner/simple\n--extra-index-url https://x\n")
    top = write(
        tmp_path / "r.txt",
        "-i https://outer/simple\n-r inner.txt\n--extra-index-url https://y\n",
    )
    index = parse(top).index
    assert index.index_url == "https://inner/simple"  # read last
    assert index.extra_index_urls == ("https://x", "https://y")


def test_ignored_pip_options_are_recorded_verbatim(tmp_path: Path) -> None:
    req = write(
        tmp_path / "r.txt",
        """
        --pre
        --prefer-binary
        --trusted-host example.com
        --only-binary=:all:
        --no-binary foo --use-feature fast-deps
        foo
        """,
    )
    parsed = parse(req)
    assert parsed.ignored_options == (
        "--pre",
        "--prefer-binary",
        "--trusted-host example.com",
        "--only-binary=:all:",
        "--no-binary foo",
        "--use-feature fast-deps",
    )
    assert names(parsed.requirements) == ["foo"]


def test_attached_short_option_value_is_accepted(tmp_path: Path) -> None:
    write(tmp_path / "base.txt", "foo\n")
    req = write(tmp_path / "r.txt", "-rbase.txt\n")
    assert names(parse(req).requirements) == ["foo"]


def test_unknown_option_names_file_line_and_text(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "requirements.txt", "foo\n\n--frobnicate=3\n")
    with pytest.raises(RequirementsError) as caught:
        parse(Path("requirements.txt"))
    assert str(caught.value) == (
        "requirements.txt:3: unknown option '--frobnicate' (in '--frobnicate=3')"
    )
    assert caught.value.hint is not None
    assert isinstance(caught.value, PuffinError) and caught.value.exit_code == 1


def test_pip_options_that_would_change_the_result_are_refused(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "--require-hashes\n")
    assert parse_requirements_file(req).require_hashes is True


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("-r", "option --requirement needs a value"),
        ("--no-index=yes", "option --no-index takes no value"),
        ("foo --index-url https://x", "option --index-url cannot follow a requirement"),
        ("-i https://x stray", "unexpected argument 'stray'"),
        ("--trusted-host 'unbalanced", "cannot split options"),
    ],
)
def test_malformed_option_lines(tmp_path: Path, line: str, problem: str) -> None:
    req = write(tmp_path / "r.txt", f"{line}\n")
    message = error_of(req)
    assert "r.txt:1: " in message
    assert problem in message
    assert f"'{line}'" in message


def test_invalid_requirement_message_uses_packagings_explanation(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "requirements.txt", "ok\nfine\nfoo>>1\n")
    message = error_of(Path("requirements.txt"))
    assert re.fullmatch(
        r"requirements\.txt:3: invalid requirement 'foo>>1': Expected [^\n]+", message
    )


def test_invalid_marker_on_a_path_is_reported(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "./pkg ; python_version >\n")
    message = error_of(req)
    assert "r.txt:1: invalid marker 'python_version >'" in message


# --- unnamed requirements, URLs and paths -------------------------------------------------------


def test_unnamed_paths_and_archive_urls(tmp_path: Path) -> None:
    req = write(
        tmp_path / "project" / "requirements.txt",
        """
        ./pkg
        ../dist/x-1.0.tar.gz
        y-2.0-py3-none-any.whl
        /opt/src/z
        file:///srv/wheels/w-1.0-py3-none-any.whl
        https://example.com/v-1.0.tar.gz ; sys_platform == "linux"
        git+https://example.com/repo.git@main
        """,
    )
    entries = parse(req).requirements
    assert all(entry.requirement is None and entry.name is None for entry in entries)
    assert [entry.url_or_path for entry in entries] == [
        str(tmp_path / "project" / "pkg"),
        str(tmp_path / "dist" / "x-1.0.tar.gz"),
        str(tmp_path / "project" / "y-2.0-py3-none-any.whl"),
        "/opt/src/z",
        "file:///srv/wheels/w-1.0-py3-none-any.whl",
        "https://example.com/v-1.0.tar.gz",
        "git+https://example.com/repo.git@main",
    ]
    assert str(entries[5].marker) == 'sys_platform == "linux"'


def test_unnamed_path_with_extras_and_marker(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", './pkg[Test_Extra,docs]; os_name == "posix"\n')
    (entry,) = parse(req).requirements
    assert entry.url_or_path == str(tmp_path / "pkg")
    assert entry.extras == ("docs", "test-extra")
    assert str(entry.marker) == 'os_name == "posix"'


def test_relative_file_urls_resolve_against_the_naming_file(tmp_path: Path) -> None:
    write(
        tmp_path / "sub" / "inner.txt",
        f"""
        file:../dist/a-1.0.tar.gz#sha256={SHA_A}
        b @ file:./wheels/b-1.0-py3-none-any.whl
        c @ ./vendored/c
        """,
    )
    top = write(tmp_path / "requirements.txt", "-r sub/inner.txt\n")
    a, b, c = parse(top).requirements
    assert a.requirement is None
    assert a.url_or_path == f"{(tmp_path / 'dist' / 'a-1.0.tar.gz').as_uri()}#sha256={SHA_A}"
    expected_b = (tmp_path / "sub" / "wheels" / "b-1.0-py3-none-any.whl").as_uri()
    assert b.url_or_path == expected_b
    assert b.requirement is not None and b.requirement.url == expected_b
    assert c.url_or_path == (tmp_path / "sub" / "vendored" / "c").as_uri()


def test_name_at_url_is_a_named_direct_requirement(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "Pkg[x] @ https://example.com/pkg-1.0.zip ; os_name == 'nt'\n")
    (entry,) = parse(req).requirements
    assert entry.name == "pkg"
    assert entry.url_or_path == "https://example.com/pkg-1.0.zip"
    assert entry.extras == ("x",)
    assert str(entry.marker) == 'os_name == "nt"'


# --- editables ------------------------------------------------------------------------------


def test_editable_dot_in_a_subdirectory_means_that_subdirectory(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "requirements.txt", "-e .\n--editable=../other[dev]\n")
    top = write(tmp_path / "requirements.txt", "-r sub/requirements.txt\n")
    dot, other = parse(top).requirements
    assert dot.editable and dot.requirement is None
    assert dot.url_or_path == str(tmp_path / "sub")
    assert other.editable and other.url_or_path == str(tmp_path / "other")
    assert other.extras == ("dev",)


def test_editable_bare_directory_name_is_accepted_when_it_exists(tmp_path: Path) -> None:
    (tmp_path / "pkgdir").mkdir()
    req = write(tmp_path / "r.txt", "-e pkgdir\n")
    (entry,) = parse(req).requirements
    assert entry.editable and entry.url_or_path == str(tmp_path / "pkgdir")


def test_editable_vcs_url_is_named_by_its_egg_fragment(tmp_path: Path) -> None:
    req = write(tmp_path / "r.txt", "-e git+https://example.com/repo.git@v1#egg=My_Pkg[cli]\n")
    (entry,) = parse(req).requirements
    assert entry.editable
    assert entry.name == "my-pkg"
    assert entry.extras == ("cli",)
    assert entry.url_or_path == "git+https://example.com/repo.git@v1#egg=My_Pkg[cli]"


@pytest.mark.parametrize("target", ["not-a-dir-name", "https://example.com/pkg-1.0.tar.gz"])
def test_editable_must_be_a_local_project_or_vcs_url(tmp_path: Path, target: str) -> None:
    req = write(tmp_path / "r.txt", f"-e {target}\n")
    message = error_of(req)
    assert f"r.txt:1: editable requirement '{target}' must be a local project or a VCS URL" in (
        message
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("-e ./pkg", "editable requirements are not allowed as constraints"),
        ("./pkg", "unnamed requirements are not allowed as constraints"),
        ("foo[bar]<2", "constraints cannot have extras"),
    ],
)
def test_constraints_must_be_plain_named_requirements(
    tmp_path: Path, line: str, problem: str
) -> None:
    write(tmp_path / "constraints.txt", f"ok<1\n{line}\n")
    req = write(tmp_path / "r.txt", "-c constraints.txt\n")
    message = error_of(req)
    assert "constraints.txt:2: " in message and problem in message and f"'{line}'" in message
