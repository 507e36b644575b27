"""The license rule: License-Expression, classifiers, the legacy License field, unknown.

End to end, a license violation cannot be avoided by picking another version (the
resolver reads metadata only for what it chooses), so it stops the command after the
resolution, listing every violation, before anything is installed; ``pip compile`` stops
too. The judging itself is tested in-process on the plugin's license module.
"""

from __future__ import annotations

import pytest

from puffin_policy._licenses import SpdxError, judge_license, parse_spdx

MIT = "License :: OSI Approved :: MIT License"
BSD = "License :: OSI Approved :: BSD License"
GPL3 = "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"
APACHE = "License :: OSI Approved :: Apache Software License"

ALLOWED = frozenset({"mit", "bsd-3-clause", "apache-2.0"})


# -- judging, in-process -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "allowed"),
    [
        ("MIT", True),
        ("mit", True),  # identifiers compare case-insensitively
        ("GPL-3.0-only", False),
        ("MIT OR GPL-3.0-only", True),  # one OR-branch is enough
        ("GPL-3.0-only OR MIT", True),
        ("MIT AND GPL-3.0-only", False),  # AND needs all
        ("MIT AND Apache-2.0", True),
        ("(MIT AND GPL-3.0-only) OR Apache-2.0", True),
        ("MIT AND GPL-3.0-only OR Apache-2.0", True),  # AND binds tighter than OR
        ("MIT AND (GPL-3.0-only OR Apache-2.0)", True),
        ("GPL-3.0-only AND (MIT OR Apache-2.0)", False),
        ("Apache-2.0 WITH LLVM-exception", True),  # an exception only adds permissions
        ("GPL-2.0-only WITH Classpath-exception-2.0", False),
        ("LicenseRef-Proprietary", False),
        ("MIT or Apache-2.0", True),  # lower-case operators, as some tools write them
    ],
)
def test_policy_license_expressions(expression: str, allowed: bool) -> None:
    verdict = judge_license(expression, [], None, ALLOWED)
    assert verdict.allowed is allowed, verdict


def test_policy_license_expression_refusal_names_the_culprits() -> None:
    verdict = judge_license("MIT AND (GPL-3.0-only OR AGPL-3.0-only)", [], None, ALLOWED)
    assert verdict.allowed is False
    assert verdict.describe() == (
        "License-Expression 'MIT AND (GPL-3.0-only OR AGPL-3.0-only)': "
        "GPL-3.0-only, AGPL-3.0-only not in allowed-licenses"
    )


def test_policy_license_with_exception_can_be_allowed_as_a_whole() -> None:
    allowed = frozenset({"gpl-2.0-only with classpath-exception-2.0"})
    verdict = judge_license("GPL-2.0-only WITH Classpath-exception-2.0", [], None, allowed)
    assert verdict.allowed is True


@pytest.mark.parametrize(
    "text", ["", "MIT AND", "(MIT", "MIT)", "MIT OR OR BSD-3-Clause", "MIT/Apache", "WITH x"]
)
def test_policy_invalid_expressions_are_unknown(text: str) -> None:
    with pytest.raises(SpdxError):
        parse_spdx(text)
    verdict = judge_license(text or " ", [], None, ALLOWED)
    if text:
        assert verdict.allowed is None
        assert "not a valid SPDX expression" in verdict.describe()


def test_policy_license_expression_wins_over_classifiers() -> None:
    assert judge_license("GPL-3.0-only", [MIT], "MIT", ALLOWED).allowed is False
    assert judge_license("MIT", [GPL3], None, ALLOWED).allowed is True


@pytest.mark.parametrize(
    ("classifiers", "allowed"),
    [
        ([MIT], True),
        ([APACHE], True),
        ([GPL3], False),
        ([GPL3, MIT], True),  # several license classifiers: any of them (dual licensing)
        # "BSD License" may be 2- or 3-clause: allowed only when both are
        ([BSD], False),
        (["Programming Language :: Python :: 3", MIT], True),
    ],
)
def test_policy_license_classifiers(classifiers: list[str], allowed: bool) -> None:
    assert judge_license(None, classifiers, None, ALLOWED).allowed is allowed


def test_policy_ambiguous_classifier_passes_when_every_meaning_is_allowed() -> None:
    allowed = ALLOWED | {"bsd-2-clause"}
    assert judge_license(None, [BSD], None, allowed).allowed is True


def test_policy_legacy_license_field_only_when_it_is_a_known_identifier() -> None:
    assert judge_license(None, [], "MIT", ALLOWED).allowed is True
    assert judge_license(None, [], "GPL-3.0-only", ALLOWED).allowed is False
    assert judge_license(None, [], "Apache-2.0 OR MIT", ALLOWED).allowed is True
    # Free text is not guessed at.
    assert judge_license(None, [], "BSD", ALLOWED).allowed is None
    assert judge_license(None, [], "MIT License\n\nCopyright ...", ALLOWED).allowed is None


def test_policy_unknown_license_says_what_was_found() -> None:
    verdict = judge_license(None, ["License :: Other/Proprietary License"], "Proprietary", ALLOWED)
    assert verdict.allowed is None
    assert "License :: Other/Proprietary License" in verdict.describe()
    assert "'Proprietary'" in verdict.describe()
    nothing = judge_license(None, [], None, ALLOWED)
    assert nothing.allowed is None
    assert "no License-Expression, license classifier or License" in nothing.describe()


# -- end to end ----------------------------------------------------------------------------


@pytest.fixture
def licensed(make_wheel):
    """Wheels with every kind of license information."""

    def wheel(name: str, **fields):
        return make_wheel(name, "1.0", metadata_version="2.4", metadata_extra=fields)

    return {
        "mit": wheel("mit-pkg", **{"License-Expression": "MIT"}),
        "dual": wheel("dual-pkg", **{"License-Expression": "GPL-3.0-only OR Apache-2.0"}),
        "classified": wheel("classified-pkg", Classifier=[MIT, "Typing :: Typed"]),
        "gpl": wheel("gpl-pkg", **{"License-Expression": "GPL-3.0-or-later"}),
        "gpl-classified": wheel("gpl-classified-pkg", Classifier=[GPL3]),
        "unknown": wheel("unknown-pkg"),
    }


POLICY = 'allowed-licenses = ["MIT", "BSD-3-Clause", "Apache-2.0"]'


def test_policy_allowed_licenses_install(
    project, venv, local_index, licensed, install, installed
) -> None:
    project.policy(POLICY)
    index = local_index(licensed.values())
    install(venv, index.simple_url, "mit-pkg", "dual-pkg", "classified-pkg").assert_ok()
    assert set(installed(venv)) == {"mit-pkg", "dual-pkg", "classified-pkg"}


def test_policy_license_violations_are_all_listed_and_nothing_is_installed(
    project, venv, local_index, licensed, install, installed
) -> None:
    pyproject = project.policy(POLICY)
    index = local_index(licensed.values())
    result = install(
        venv, index.simple_url, "mit-pkg", "gpl-pkg", "gpl-classified-pkg", "unknown-pkg"
    )
    result.assert_failed(1)
    assert "the resolution was rejected by plugins:" in result.stderr
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("-")]
    assert lines == [
        "- gpl-classified-pkg==1.0: violates policy allowed-licenses (classifier "
        f"'{GPL3}' (GPL-3.0-only): not in allowed-licenses) from {pyproject} [policy]",
        "- gpl-pkg==1.0: violates policy allowed-licenses (License-Expression "
        f"'GPL-3.0-or-later': GPL-3.0-or-later not in allowed-licenses) from {pyproject} "
        "[policy]",
        "- unknown-pkg==1.0: violates policy allowed-licenses (the license is unknown: no "
        "License-Expression, license classifier or License; allow-unknown-license is not "
        f"set) from {pyproject} [policy]",
    ]
    assert installed(venv) == {}


def test_policy_allow_unknown_license(
    project, venv, local_index, licensed, install, installed
) -> None:
    project.policy(POLICY + "\nallow-unknown-license = true")
    index = local_index(licensed.values())
    install(venv, index.simple_url, "unknown-pkg").assert_ok()
    result = install(venv, index.simple_url, "gpl-pkg")  # known and not allowed: still no
    result.assert_failed(1)
    assert "gpl-pkg==1.0: violates policy allowed-licenses" in result.stderr
    assert installed(venv) == {"unknown-pkg": "1.0"}


def test_policy_license_violation_stops_compile(
    project, run_puffin, local_index, licensed, tmp_path
) -> None:
    project.policy(POLICY)
    index = local_index(licensed.values())
    (tmp_path / "requirements.in").write_text("mit-pkg\ngpl-pkg\n")
    result = run_puffin(
        "pip", "compile", "requirements.in", "-i", index.simple_url, "-o", "requirements.txt"
    )
    result.assert_failed(1)
    assert "gpl-pkg==1.0: violates policy allowed-licenses" in result.stderr
    assert not (tmp_path / "requirements.txt").exists()
