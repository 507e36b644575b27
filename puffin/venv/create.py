"""Create a virtual environment by writing its files, without running the venv module.

A venv is small: ``pyvenv.cfg`` (which tells the interpreter where its base lives), links
to the base interpreter in ``bin``, an empty ``site-packages`` and activation scripts.
Writing them directly takes milliseconds and needs neither ``venv`` nor ``ensurepip``
in the base interpreter (some distributions remove both); pip is not installed.

Layout (POSIX)::

    <root>/pyvenv.cfg
    <root>/.gitignore                          "*": never commit an environment
    <root>/bin/python, python3, python3.X      symlinks to the base interpreter
    <root>/bin/activate, activate.fish, activate.csh
    <root>/lib/python3.X/site-packages/        from the base's venv install scheme
    <root>/lib64 -> lib                        64-bit Linux, as the venv module does
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from puffin.environment.query import Interpreter

ACTIVATION_SCRIPTS = ("activate", "activate.fish", "activate.csh")
"""Templates in ``puffin/venv/scripts`` and the file names they are written to in bin."""

_VERSIONED_PYTHON = re.compile(r"python\d+\.\d+")
_PLACEHOLDER = re.compile(r"__VIRTUAL_ENV(?:_PROMPT|_DISPLAY)?__")


def create_venv(
    path: Path,
    base: Interpreter,
    *,
    prompt: str | None,
    system_site_packages: bool,
    clear: bool,
    puffin_version: str,
) -> Path:
    """Create (or refresh) a virtual environment at ``path`` for ``base``; return its root.

    An existing virtual environment (one with a ``pyvenv.cfg``) is refreshed in place:
    configuration, interpreter links and scripts are rewritten and installed packages
    kept. With ``clear`` its contents are removed first.

    :param base: the interpreter to create from; if it is itself in a venv, that venv's
        base interpreter is used.
    :param prompt: the name shown in the shell prompt; the directory's name when None.
    :param system_site_packages: let the environment see the base's site-packages.
    :param puffin_version: recorded in ``pyvenv.cfg`` as ``puffin = <version>``.
    :raises PuffinError: ``path`` is a file, or a non-empty directory that is not a venv
        (nothing is deleted then); or on Windows, which is not supported yet.
    """
    if os.name == "nt":
        raise PuffinError("puffin cannot create virtual environments on Windows yet")
    # abspath, not resolve(): a venv reached through a symlink keeps the path it was given.
    root = Path(os.path.abspath(path))  # noqa: PTH100
    shown_prompt = root.name if prompt is None else prompt
    _refuse_unquotable(root, shown_prompt)
    executable = base.base_executable
    if not executable.exists():
        raise PuffinError(
            f"Cannot create a virtual environment from {base.executable}: its base "
            f"interpreter {executable} does not exist"
        )
    _prepare_root(root, clear=clear)

    try:
        paths = base.venv_paths(root)
        bin_dir = paths["scripts"]
        for directory in {bin_dir, paths["purelib"], paths["platlib"]}:
            directory.mkdir(parents=True, exist_ok=True)
        _write_pyvenv_cfg(root, base, prompt, system_site_packages, puffin_version)
        _link_interpreter(bin_dir, base)
        _link_lib64(root, base, paths["platlib"])
        (root / ".gitignore").write_text("*\n", encoding="utf-8")
        _write_activation_scripts(bin_dir, root, shown_prompt)
    except OSError as error:
        raise PuffinError(f"Could not create a virtual environment at {root}: {error}") from error
    return root


def _refuse_unquotable(root: Path, prompt: str) -> None:
    # The activation scripts quote both; csh has no way to quote a line break.
    for what, text in (("path", str(root)), ("prompt", prompt)):
        if "\n" in text or "\r" in text:
            raise PuffinError(f"A virtual environment's {what} cannot contain a line break")


def _prepare_root(root: Path, *, clear: bool) -> None:
    """Check what is at ``root`` now; empty it when ``clear`` and it is a venv."""
    if not root.exists() and not root.is_symlink():
        return
    if not root.is_dir():
        raise PuffinError(f"Cannot create a virtual environment at {root}: it is not a directory")
    if not (root / "pyvenv.cfg").is_file():
        if any(root.iterdir()):
            raise PuffinError(
                f"Cannot create a virtual environment at {root}: the directory is not empty "
                "and is not a virtual environment (it has no pyvenv.cfg)",
                hint="choose another path, or remove the directory first",
            )
        return
    if clear:
        try:
            # Empty it rather than remove it: root may be a symlink, or a mount point.
            for child in root.iterdir():
                if child.is_dir() and not child.is_symlink():
                    import shutil  # only for --clear

                    shutil.rmtree(child)
                else:
                    child.unlink()
        except OSError as error:
            raise PuffinError(
                f"Could not clear the virtual environment at {root}: {error}"
            ) from error


def _write_pyvenv_cfg(
    root: Path,
    base: Interpreter,
    prompt: str | None,
    system_site_packages: bool,
    puffin_version: str,
) -> None:
    executable = base.base_executable
    lines = [
        # home: where the interpreter looks for its base installation (read at start-up).
        ("home", str(executable.parent)),
        ("implementation", base.markers.get("platform_python_implementation", "CPython")),
        ("version_info", base.python_full_version),
        ("version", base.python_full_version),
        ("include-system-site-packages", "true" if system_site_packages else "false"),
        ("executable", str(executable)),
        *([("prompt", prompt)] if prompt is not None else []),
        ("puffin", puffin_version),
    ]
    text = "".join(f"{key} = {value}\n" for key, value in lines)
    _replace_file(root / "pyvenv.cfg", text)


def _link_interpreter(bin_dir: Path, base: Interpreter) -> None:
    """Point python, python3 and python3.X at the base interpreter."""
    major, minor = base.version[0], base.version[1]
    names = ["python", f"python{major}", f"python{major}.{minor}"]
    for name in names:
        _replace_symlink(bin_dir / name, base.base_executable)
    # A refreshed venv may have changed Python version: drop links to the previous one.
    for entry in bin_dir.iterdir():
        if (
            entry.name not in names
            and _VERSIONED_PYTHON.fullmatch(entry.name)
            and entry.is_symlink()
        ):
            entry.unlink()


def _link_lib64(root: Path, base: Interpreter, platlib: Path) -> None:
    # Like the venv module: some tools look in lib64 on 64-bit Linux. Not when the scheme
    # itself installs into lib64 (platlibdir = lib64 on Fedora-like systems).
    if base.pointer_size != 64 or base.markers.get("sys_platform") != "linux":
        return
    lib64 = root / "lib64"
    if lib64.exists() or lib64.is_symlink() or lib64 in platlib.parents:
        return
    lib64.symlink_to("lib")


def _write_activation_scripts(bin_dir: Path, root: Path, prompt: str) -> None:
    # The templates are package data beside this module (importlib.resources costs more).
    templates = Path(__file__).parent / "scripts"
    quoting: dict[str, Callable[[str], str]] = {
        "activate": _quote_sh,
        "activate.fish": _quote_fish,
        "activate.csh": _quote_sh,  # csh reads '...'\''...' the way sh does
    }
    for name in ACTIVATION_SCRIPTS:
        quote = quoting[name]
        values = {
            "__VIRTUAL_ENV__": quote(str(root)),
            "__VIRTUAL_ENV_PROMPT__": quote(prompt),
            "__VIRTUAL_ENV_DISPLAY__": str(root),  # in a comment: no quoting
        }
        template = (templates / name).read_text(encoding="utf-8")
        _replace_file(bin_dir / name, _render(template, values))


def _render(template: str, values: Mapping[str, str]) -> str:
    # One pass, so a path that happens to contain a placeholder stays as it is.
    return _PLACEHOLDER.sub(lambda match: values[match[0]], template)


def _quote_sh(text: str) -> str:
    """Single-quote for sh and csh: nothing inside is special except ``'`` itself."""
    return "'" + text.replace("'", "'\\''") + "'"


def _quote_fish(text: str) -> str:
    """Single-quote for fish, where ``\\`` and ``'`` are escaped inside quotes."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _replace_file(path: Path, text: str) -> None:
    """Write ``path`` so that a reader never sees half a file.

    A new file is created exclusively and written in place (nobody can be reading it
    yet); an existing one is replaced through a temporary sibling and a rename.
    """
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
        return
    except FileExistsError:
        pass
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _replace_symlink(link: Path, target: Path) -> None:
    """Point ``link`` at ``target``: created directly when new, else swapped by rename."""
    try:
        link.symlink_to(target)
        return
    except FileExistsError:
        pass
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    temporary.replace(link)
