"""Every puffin hook: the single source of the plugin API's contract.

Hooks are grouped by the phase of a command in which puffin calls them. Each docstring is
the full contract: the arguments, what a return value means, whether the first non-None
result wins (*firstresult*) or all results are collected (*collect*), and who calls it
when. docs/plugins/reference.md is generated from this module, and a test keeps the two
in step.

Conventions
-----------
* A plugin implements a hook by defining a function of the same name; it may accept any
  subset of the specified arguments, by name.
* Specifications only ever gain arguments, so an implementation written today keeps
  working. Hooks listed in :data:`PROVISIONAL_HOOKS` may still change.
* *firstresult* hooks: returning None means "not mine, ask the next plugin". Built-in
  implementations are registered ``trylast``, so every installed plugin is asked first.
* *collect* hooks: every implementation is called; None and empty results are ignored.
  Verdicts (:class:`~puffin.types.Rejection`, :class:`~puffin.types.Problem`) are stamped
  with the name of the plugin that returned them.
* Hooks are synchronous and must be cheap. Work that does I/O is done by the objects that
  hooks return (:mod:`puffin.plugin.protocols`), whose methods are async.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin.markers import hookspec

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import pluggy
    from packaging.utils import NormalizedName

    from puffin.config.settings import Settings
    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.plugin.protocols import BuildEnvironment, Builder, IndexSource, Reporter
    from puffin.plugin.registries import CommandRegistry, OptionRegistry
    from puffin.requirements.manifest import Manifest
    from puffin.types import (
        BuildRequest,
        Candidate,
        Credentials,
        IndexSpec,
        InstalledDist,
        ManifestAdjustment,
        Plan,
        Problem,
        Rejection,
        Resolution,
    )

PROVISIONAL_HOOKS = frozenset({"puffin_add_commands"})
"""Hooks whose specification may still change in a minor release."""


# ---------------------------------------------------------------------------------------
# Start-up: registering hooks, options, commands and configuration
# ---------------------------------------------------------------------------------------


@hookspec(historic=True)
def puffin_addhooks(pluginmanager: pluggy.PluginManager) -> None:
    """Add hook specifications of a plugin's own, so other plugins can implement them.

    :param pluginmanager: the plugin manager; call ``pluginmanager.add_hookspecs(module)``.

    *Historic*: a plugin registered later is still called. Called once at start-up, after
    all plugins are registered and before puffin checks that every implemented hook exists.
    Returns nothing.
    """


@hookspec
def puffin_add_options(parser: OptionRegistry) -> None:
    """Declare settings of the plugin's own.

    :param parser: an :class:`~puffin.plugin.registries.OptionRegistry`; call
        ``parser.add_option(name, help=..., kind=..., choices=..., default=...)``.

    Each option becomes a ``--name`` flag on every command, a ``PUFFIN_NAME`` variable and
    a ``[tool.puffin]`` key, with the usual precedence; read it with
    ``settings.plugin_option(name)``. *Collect*; called once at start-up before the
    command line is parsed. Returns nothing.
    """


@hookspec
def puffin_add_commands(commands: CommandRegistry) -> None:
    """Add commands to the ``puffin`` command line (*provisional*).

    :param commands: a :class:`~puffin.plugin.registries.CommandRegistry`; call
        ``commands.add_command(("policy", "check"), help=..., configure=..., run=...)``.

    *Collect*; called once at start-up before the command line is parsed. ``run`` receives
    the parsed arguments and the :class:`~puffin.context.Context` and returns the exit
    status. Returns nothing.
    """


@hookspec(historic=True)
def puffin_configure(settings: Settings) -> None:
    """Set the plugin up with the final settings of this command.

    :param settings: the resolved :class:`~puffin.config.Settings` (immutable).

    *Historic*; called once after the command line is parsed, before the command runs.
    Plugins keep what they need on their own plugin object, never in module globals.
    Returns nothing.
    """


@hookspec(firstresult=True)
def puffin_make_reporter(settings: Settings) -> Reporter | None:
    """Make the object through which puffin shows progress and messages.

    :param settings: the resolved settings (verbosity, colour).
    :return: a :class:`~puffin.plugin.protocols.Reporter`, or None to let the next plugin
        decide.

    *firstresult*; called once per command after ``puffin_configure``. The built-in
    ``reporter`` plugin (``trylast``) writes plain or coloured text to the terminal.
    """


# ---------------------------------------------------------------------------------------
# Sources: where packages and credentials come from
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def puffin_index_source(spec: IndexSpec, ctx: Context) -> IndexSource | None:
    """Provide the object that serves one configured index or find-links location.

    :param spec: the location (:class:`~puffin.types.IndexSpec`): its URL or path, and
        whether it is a simple-API index or a flat listing (``--find-links``).
    :param ctx: the command's context (settings, HTTP client, cache).
    :return: an :class:`~puffin.plugin.protocols.IndexSource`, or None when this plugin
        does not handle the location (e.g. an ``s3://`` plugin given an ``https://`` URL).

    *firstresult*; called once per location per command, before resolution. The built-in
    ``index_registry`` and ``index_flat`` plugins (``trylast``) handle http(s) and file
    locations. A location no plugin claims is a user error naming it.
    """


@hookspec(firstresult=True)
def puffin_get_credentials(url: str, username: str | None, ctx: Context) -> Credentials | None:
    """Provide credentials for ``url`` (an index page or a file).

    :param url: the URL being requested, without userinfo.
    :param username: the user the URL named (``https://alice@host/...``) when it named one
        without a password, else None. An implementation may leave this argument out.
    :param ctx: the command's context.
    :return: :class:`~puffin.types.Credentials`, or None to let the next plugin answer.

    *firstresult*; called by the HTTP client when a URL has no usable credentials from its
    userinfo or ``.netrc``, after the server answered 401 or when the URL names a user.
    Answers are cached per host for the command. Never log the password.
    """


# ---------------------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------------------


@hookspec
def puffin_adjust_manifest(manifest: Manifest, ctx: Context) -> ManifestAdjustment | None:
    """Add constraints or overrides to the user's requirements (e.g. organization pins).

    :param manifest: the user's requirements, constraints and overrides (immutable).
    :param ctx: the command's context.
    :return: a :class:`~puffin.types.ManifestAdjustment` with extra constraint and override
        strings and a reason, or None.

    *Collect*; called once per resolution before it starts (not for build-requirement
    sub-resolutions). Adjustments of all plugins are applied together.
    """


@hookspec
def puffin_filter_candidates(
    name: NormalizedName, candidates: Sequence[Candidate], ctx: Context
) -> Iterable[Rejection] | None:
    """Reject candidates the resolver must never choose (deny lists, cooldowns, yanked).

    :param name: the normalized project name.
    :param candidates: every candidate version of the project known to the resolver, newest
        first, each with its files. A read-only sequence whose items are made when read:
        a plugin that decides from ``name`` alone pays nothing for a project's thousands
        of versions. For a project the user pins with ``==`` (in a requirement or a
        constraint that applies, and no override), only the versions the pin allows are
        candidates: no other can be chosen.
    :param ctx: the command's context.
    :return: :class:`~puffin.types.Rejection` values (each names a candidate and a reason),
        or None to reject nothing.

    *Collect*; called once per project per resolution, build-requirement sub-resolutions
    included, before any candidate of that project is chosen. Rejected candidates are
    skipped; when that makes the requirements unsatisfiable, the explanation quotes each
    rejection's reason and plugin.
    """


@hookspec
def puffin_check_resolution(resolution: Resolution, ctx: Context) -> Iterable[Problem] | None:
    """Check a finished resolution (licenses, audits) and report problems.

    :param resolution: the pinned distributions.
    :param ctx: the command's context.
    :return: :class:`~puffin.types.Problem` values, or None when all is well.

    *Collect*; called after every top-level resolution, before anything is written (also
    by ``pip compile``). Any problem stops the command; every problem of every plugin is
    listed.
    """


# ---------------------------------------------------------------------------------------
# Building source distributions and local projects
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def puffin_build_env(request: BuildRequest, ctx: Context) -> BuildEnvironment | None:
    """Provide the environment a build runs in.

    :param request: what is built, and whether isolation is wanted
        (``request.isolated`` is False under ``--no-build-isolation``).
    :param ctx: the command's context.
    :return: a :class:`~puffin.plugin.protocols.BuildEnvironment`, or None for the next
        plugin.

    *firstresult*; called once per build. The built-in ``build_isolation`` plugin
    (``trylast``) creates an isolated environment for the running interpreter from
    puffin's cache, or uses the target environment when isolation is off.
    """


@hookspec(firstresult=True)
def puffin_build(request: BuildRequest, env: BuildEnvironment, ctx: Context) -> Builder | None:
    """Provide the builder that turns ``request`` into metadata, a wheel or an editable.

    :param request: the source and the kind of artefact (:class:`~puffin.types.BuildKind`).
    :param env: the environment from ``puffin_build_env``.
    :param ctx: the command's context.
    :return: a :class:`~puffin.plugin.protocols.Builder`, or None for the next plugin.

    *firstresult*; called once per build. The built-in ``pep517`` plugin (``trylast``)
    runs the project's PEP 517 / PEP 660 backend.
    """


# ---------------------------------------------------------------------------------------
# Installing
# ---------------------------------------------------------------------------------------


@hookspec
def puffin_check_plan(plan: Plan, ctx: Context) -> Iterable[Problem] | None:
    """Veto an install or sync plan before anything on disk changes.

    :param plan: every distribution with its action (install, reinstall, remove...).
    :param ctx: the command's context.
    :return: :class:`~puffin.types.Problem` values, or None to allow the plan.

    *Collect*; called once per install, sync or uninstall, after downloads and builds are
    planned and before any is started. Any problem stops the command and leaves the
    environment untouched.
    """


@hookspec
def puffin_post_install(
    installed: Sequence[InstalledDist], env: TargetEnvironment, ctx: Context
) -> None:
    """Run steps after distributions are installed (bytecode, SBOM, code generation).

    :param installed: the distributions this command installed or reinstalled.
    :param env: the target environment they were installed into.
    :param ctx: the command's context.

    *Collect*; called once per install or sync after every file is in place, also when
    nothing changed (``installed`` is then empty). Returns nothing; an exception is
    reported with the plugin's name and makes the command fail, but the installation
    itself stays in place.
    """
