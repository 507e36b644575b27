"""Run one command: config, plugins, parsing, settings, context, then the command itself."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from puffin.context import Context
    from puffin.plugin.protocols import Reporter


def prescan_plugin_args(args: Sequence[str]) -> list[str]:
    """The ``-p`` values given before the command word, and ``--plugin`` values anywhere.

    Plugins must be loaded before the full command line is parsed, because they add
    options and commands to it. After the command word ``-p`` means ``--python`` (as in
    uv), so only the global position counts for the short form.
    """
    found: list[str] = []
    seen_command = False
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            break
        following = args[index + 1] if index + 1 < len(args) else None
        if arg == "--plugin" or (arg == "-p" and not seen_command):
            if following is not None:
                found.append(following)
                index += 1
        elif arg.startswith("--plugin="):
            found.append(arg.partition("=")[2])
        elif arg.startswith("-p") and len(arg) > 2 and not seen_command:
            found.append(arg[2:].removeprefix("="))
        elif arg in ("--cache-dir", "--color") and not seen_command:
            index += 1  # skip the option's value so it is not taken for the command word
        elif not arg.startswith("-"):
            seen_command = True
        index += 1
    return found


def run(args: Sequence[str]) -> int:
    """Run the command line ``args``; every user error becomes a message and a status."""
    environ = dict(os.environ)
    verbosity = args.count("-vv") * 2 + args.count("-v") + args.count("--verbose")
    try:
        return _run(args, environ)
    except PuffinError as error:
        # Raised before a reporter exists (config, plugin loading): plain stderr.
        _report_error(error, None, verbosity)
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`puffin pip freeze | head -1`): not an error worth a
        # traceback. Later writes, and the final flush, go nowhere.
        _silence_stdout()
        return _BROKEN_PIPE


_BROKEN_PIPE = 141
"""The status a shell shows for a command that SIGPIPE ended (128 + 13)."""


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _report_error(error: PuffinError, reporter: Reporter | None, verbosity: int) -> None:
    cause = error.__cause__
    if verbosity >= 2 and cause is not None:
        import traceback

        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stderr)
    hint = error.hint
    if cause is not None and verbosity < 2 and hint is None:
        hint = "run with -vv to see the traceback"
    if reporter is not None:
        reporter.error(str(error), hint=hint)
        return
    sys.stderr.write(f"error: {error}\n")
    if hint:
        sys.stderr.write(f"  hint: {hint}\n")


def _write_stderr(text: str) -> None:
    sys.stderr.write(text)


def _run(args: Sequence[str], environ: dict[str, str]) -> int:
    namespace, ctx = bootstrap(args, environ)
    try:
        status: int = namespace.command.run(namespace, ctx)
        return status
    except PuffinError as error:
        _report_error(error, ctx.reporter, ctx.settings.verbosity)
        return error.exit_code
    finally:
        ctx.cache.close()


def bootstrap(args: Sequence[str], environ: dict[str, str]) -> tuple[argparse.Namespace, Context]:
    """Everything before a command runs: config, plugins, parsing, settings, context.

    Also the entry point for tools (benchmarks, tests) that drive puffin's layers with a
    context made exactly as the command line makes it. The caller closes ``ctx.cache``.
    """
    from puffin.cache.dirs import Cache
    from puffin.cli.commands import register_core_commands
    from puffin.cli.parser import build_parser, given_values
    from puffin.config.load import ConfigLayers, PluginSelection, load_settings
    from puffin.context import Context
    from puffin.plugin.hooks import Hooks
    from puffin.plugin.manager import load_plugins
    from puffin.plugin.registries import CommandRegistry, OptionRegistry

    cwd = Path.cwd()
    layers = ConfigLayers.discover(cwd, environ)
    selection = PluginSelection.collect(prescan_plugin_args(args), environ, layers)
    manager = load_plugins(selection, project_root=layers.project_root())
    trace_on = environ.get("PUFFIN_TRACE_HOOKS", "").lower() not in ("", "0", "false", "no")
    hooks = Hooks(manager, trace=_write_stderr if trace_on else None)

    options = OptionRegistry()
    hooks.add_options(options)
    commands = CommandRegistry()
    register_core_commands(commands)
    hooks.add_commands(commands)

    parser = build_parser(commands.commands, options.definitions, argv=args)
    namespace = parser.parse_args(list(args))
    namespace.argv = tuple(args)  # the command line as given (compile output headers)
    settings = load_settings(
        given_values(namespace),
        environ=environ,
        layers=layers,
        selection=selection,
        plugin_settings=options.definitions,
    )
    hooks.configure(settings)
    reporter = hooks.make_reporter(settings)
    for warning in settings.warnings:
        reporter.warning(warning)

    cache = Cache.open(settings.cache_dir, no_cache=settings.no_cache, environ=environ)
    ctx = Context(
        settings=settings,
        hooks=hooks,
        reporter=reporter,
        cache=cache,
        config=layers,
        environ=environ,
        cwd=cwd,
    )
    return namespace, ctx
