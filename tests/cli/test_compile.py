"""``puffin pip compile`` end to end against a real local index."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def index(local_index, make_wheel, make_sdist):
    return local_index(
        [
            make_wheel("app", "1.0", requires_dist=["lib>=1.0", "util"]),
            make_wheel("lib", "1.0"),
            make_wheel("lib", "2.0", requires_dist=["util<2"]),
            make_wheel("util", "1.5"),
            make_wheel("util", "2.5"),
            make_wheel("extra-dep", "1.0"),
            make_wheel("fancy", "1.0", extras={"speed": ["extra-dep"]}),
            make_wheel("newpy", "1.0"),
            make_wheel("newpy", "2.0", requires_python=">=3.13"),
            make_sdist("static-sdist", "1.0", requires_dist=["util"]),
        ]
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def compile_(run_puffin, index, *args: str, cwd: Path | None = None):
    return run_puffin(
        "pip", "compile", *args, "-i", index.simple_url, "--python-version", "3.11", cwd=cwd
    )


def pins(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]


def test_compile_to_stdout_with_annotations(run_puffin, index, tmp_path: Path) -> None:
    write(tmp_path / "requirements.in", "app\n")
    result = compile_(run_puffin, index, "requirements.in", "--no-header")
    result.assert_ok()
    assert pins(result.stdout) == ["app==1.0", "lib==2.0", "util==1.5"]
    assert "    # via -r requirements.in" in result.stdout
    assert "    # via\n    #   app\n    #   lib" in result.stdout
    assert "Resolved 3 packages in" in result.stderr


def test_output_file_pins_are_preferences(run_puffin, index, tmp_path: Path) -> None:
    write(tmp_path / "requirements.in", "util\n")
    write(tmp_path / "requirements.txt", "util==1.5\n")
    compile_(
        run_puffin, index, "requirements.in", "-o", "requirements.txt", cwd=tmp_path
    ).assert_ok()
    assert "util==1.5" in (tmp_path / "requirements.txt").read_text()
    compile_(
        run_puffin, index, "requirements.in", "-o", "requirements.txt", "-P", "util", cwd=tmp_path
    ).assert_ok()
    assert "util==2.5" in (tmp_path / "requirements.txt").read_text()
    header = (tmp_path / "requirements.txt").read_text().splitlines()
    assert any("puffin pip compile requirements.in -o requirements.txt" in line for line in header)


def test_extras_and_requires_python(run_puffin, index, tmp_path: Path) -> None:
    write(tmp_path / "requirements.in", "fancy[speed]\nnewpy\n")
    result = compile_(run_puffin, index, "requirements.in", "--no-header", "--no-annotate")
    result.assert_ok()
    assert pins(result.stdout) == ["extra-dep==1.0", "fancy==1.0", "newpy==1.0"]
    kept = compile_(
        run_puffin, index, "requirements.in", "--no-header", "--no-annotate", "--no-strip-extras"
    )
    assert "fancy[speed]==1.0" in pins(kept.stdout)


def test_static_sdist_metadata_is_used_without_a_build(run_puffin, index, tmp_path) -> None:
    write(tmp_path / "requirements.in", "static-sdist\n")
    result = compile_(run_puffin, index, "requirements.in", "--no-header", "--no-annotate")
    result.assert_ok()
    assert pins(result.stdout) == ["static-sdist==1.0", "util==2.5"]


def test_generate_hashes(run_puffin, index, tmp_path: Path) -> None:
    write(tmp_path / "requirements.in", "util==1.5\n")
    result = compile_(run_puffin, index, "requirements.in", "--no-header", "--generate-hashes")
    result.assert_ok()
    assert "util==1.5 \\\n    --hash=sha256:" in result.stdout


def test_unsatisfiable_explanation_names_the_input_line(run_puffin, index, tmp_path: Path) -> None:
    write(tmp_path / "requirements.in", "lib==2.0\nutil>=2\n")
    result = compile_(run_puffin, index, "requirements.in")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "lib==2.0 depends on util<2" in result.stderr
    assert "requirements.in" in result.stderr
    assert "unsatisfiable" in result.stderr


def test_requires_python_failure_names_both_pythons(run_puffin, index, tmp_path: Path) -> None:
    write(tmp_path / "requirements.in", "newpy>=2\n")
    result = compile_(run_puffin, index, "requirements.in")
    assert result.returncode == 1
    assert "Python>=3.13" in result.stderr
    assert "3.11" in result.stderr


def test_direct_url_wheel_at_top_level(run_puffin, index, make_wheel, tmp_path: Path) -> None:
    wheel = make_wheel("direct-pkg", "3.1", requires_dist=["util<2"])
    url = f"{index.url}/direct/{wheel.name}"
    (index.root / "direct").mkdir()
    (index.root / "direct" / wheel.name).write_bytes(wheel.read_bytes())
    write(tmp_path / "requirements.in", f"direct-pkg @ {url}\n")
    result = compile_(run_puffin, index, "requirements.in", "--no-header", "--no-annotate")
    result.assert_ok()
    assert pins(result.stdout) == [f"direct-pkg @ {url}", "util==1.5"]


def test_registry_package_may_not_bring_in_a_url(run_puffin, local_index, make_wheel, tmp_path):
    index = local_index(
        [make_wheel("sneaky", "1.0", requires_dist=["other @ https://example.invalid/o.whl"])]
    )
    write(tmp_path / "requirements.in", "sneaky\n")
    result = compile_(run_puffin, index, "requirements.in")
    assert result.returncode == 1
    assert (
        "sneaky==1.0 depends on other @ https://example.invalid/o.whl (a direct URL), "
        "which only your own requirements may use" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_output_to_a_pipe_writes_into_it(run_puffin, index, tmp_path: Path) -> None:
    """``-o /dev/null`` or a FIFO is written to, never replaced by a regular file."""
    import os
    import stat
    import threading

    write(tmp_path / "requirements.in", "util==1.5\n")
    fifo = tmp_path / "pins.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    result = compile_(run_puffin, index, "requirements.in", "--no-header", "-o", str(fifo))
    reader.join(timeout=30)
    result.assert_ok()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert "util==1.5" in received[0]


def test_a_plugin_constraint_is_named_with_its_reason(
    run_puffin, tmp_path, local_index, make_wheel
) -> None:
    import textwrap

    index = local_index([make_wheel("pinned", "1.0"), make_wheel("pinned", "2.0")])
    (tmp_path / "org_pins.py").write_text(
        textwrap.dedent(
            """
            from puffin.plugin import ManifestAdjustment, hookimpl

            @hookimpl
            def puffin_adjust_manifest(manifest, ctx):
                return ManifestAdjustment(constraints=("pinned<2",), reason="the org pins it")
            """
        )
    )
    (tmp_path / "req.in").write_text("pinned>=2\n")
    result = run_puffin(
        "-p", "org_pins", "pip", "compile", "req.in", "-i", index.simple_url,
        env={"PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    result.assert_failed()
    assert "the org pins it" in result.stderr, result.stderr


def test_a_dependency_url_must_name_the_source_you_require(
    run_puffin, local_index, make_wheel, tmp_path
):
    lib_one = make_wheel("lib", "1.0")
    lib_two = make_wheel("lib", "2.0")
    here = tmp_path / "wheels"
    here.mkdir()
    for wheel in (lib_one, lib_two):
        (here / wheel.name).write_bytes(wheel.read_bytes())
    one_url = (here / lib_one.name).as_uri()
    index = local_index([make_wheel("app", "1.0", requires_dist=[f"lib @ {one_url}"])])

    write(tmp_path / "same.in", f"app\nlib @ {one_url}\n")
    same = compile_(run_puffin, index, "same.in", "--no-header", "--no-annotate")
    same.assert_ok()
    assert pins(same.stdout) == ["app==1.0", f"lib @ {one_url}"]

    write(tmp_path / "other.in", f"app\nlib @ {(here / lib_two.name).as_uri()}\n")
    other = compile_(run_puffin, index, "other.in")
    assert other.returncode == 1 and "Traceback" not in other.stderr
    assert f"app==1.0 depends on lib @ {one_url}, but your requirements take lib from" in (
        other.stderr
    )
    assert lib_two.name in other.stderr
