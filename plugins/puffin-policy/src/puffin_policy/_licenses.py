"""Which license a distribution declares, and whether an allow list admits it.

The evidence, in the order it is trusted:

1. ``License-Expression`` (core metadata 2.4, PEP 639): an SPDX expression. It passes
   when the expression is satisfied by allowed licenses: ``A OR B`` needs one side,
   ``A AND B`` both, ``A WITH exception`` is allowed when ``A`` (or the whole
   ``A WITH exception``) is listed. ``AND`` binds tighter than ``OR``, as SPDX says.
2. ``License :: ...`` classifiers, the common ones mapped to SPDX identifiers. Several
   license classifiers mean the project may be used under any of them (dual licensing),
   so one allowed classifier is enough. A classifier that does not say which license it
   is (``BSD License`` is 2- or 3-clause) passes only when every license it may mean is
   allowed.
3. The legacy ``License`` field, only when it is a short SPDX expression made of
   well-known identifiers (``MIT``, ``Apache-2.0 OR MIT``); free text is not guessed at.

With none of these the license is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

__all__ = [
    "CLASSIFIER_LICENSES",
    "Combination",
    "License",
    "LicenseVerdict",
    "SpdxError",
    "judge_license",
    "parse_spdx",
]

# Common license classifiers -> the SPDX identifiers they may stand for. More than one
# identifier: the classifier does not say which (all must be allowed for it to pass).
CLASSIFIER_LICENSES: Final[dict[str, tuple[str, ...]]] = {
    "License :: OSI Approved :: MIT License": ("MIT",),
    "License :: OSI Approved :: MIT No Attribution License (MIT-0)": ("MIT-0",),
    "License :: OSI Approved :: BSD License": ("BSD-2-Clause", "BSD-3-Clause"),
    "License :: OSI Approved :: Apache Software License": ("Apache-2.0",),
    "License :: OSI Approved :: ISC License (ISCL)": ("ISC",),
    "License :: OSI Approved :: Python Software Foundation License": ("PSF-2.0",),
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": ("MPL-2.0",),
    "License :: OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)": ("MPL-1.1",),
    "License :: OSI Approved :: GNU General Public License v2 (GPLv2)": ("GPL-2.0-only",),
    "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)": (
        "GPL-2.0-or-later",
    ),
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": ("GPL-3.0-only",),
    "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)": (
        "GPL-3.0-or-later",
    ),
    "License :: OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)": ("LGPL-2.0-only",),
    "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": (
        "LGPL-2.0-or-later",
    ),
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": ("LGPL-3.0-only",),
    "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": (
        "LGPL-3.0-or-later",
    ),
    "License :: OSI Approved :: GNU Affero General Public License v3": ("AGPL-3.0-only",),
    "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)": (
        "AGPL-3.0-or-later",
    ),
    "License :: OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)": ("EPL-1.0",),
    "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": ("EPL-2.0",),
    "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)": ("BSL-1.0",),
    "License :: OSI Approved :: The Unlicense (Unlicense)": ("Unlicense",),
    "License :: OSI Approved :: zlib/libpng License": ("Zlib",),
    "License :: OSI Approved :: University of Illinois/NCSA Open Source License": ("NCSA",),
    "License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)": ("HPND",),
    "License :: OSI Approved :: Universal Permissive License (UPL)": ("UPL-1.0",),
    "License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)": ("EUPL-1.2",),
    "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": ("CC0-1.0",),
}

# Identifiers the legacy License field may name on its own and be believed.
_WELL_KNOWN: Final = frozenset(
    spdx.lower()
    for spdx in (
        *(item for ids in CLASSIFIER_LICENSES.values() for item in ids),
        "0BSD",
        "Apache-1.1",
        "Artistic-2.0",
        "BSD-1-Clause",
        "BSD-4-Clause",
        "BlueOak-1.0.0",
        "CC-BY-4.0",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "MPL-1.0",
        "Python-2.0",
        "WTFPL",
        "ZPL-2.1",
    )
)

_TOKEN: Final = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+:-]+)")
_OPERATORS: Final = frozenset({"AND", "OR", "WITH"})
_LEGACY_MAX_LENGTH: Final = 100


@dataclass(frozen=True, slots=True)
class License:
    """A license identifier, possibly with an exception (``GPL-2.0-only WITH X``)."""

    name: str
    exception: str | None = None

    def __str__(self) -> str:
        return self.name if self.exception is None else f"{self.name} WITH {self.exception}"


@dataclass(frozen=True, slots=True)
class Combination:
    """``AND`` (``all_required``) or ``OR`` of two or more parts."""

    all_required: bool
    parts: tuple[Node, ...]


Node: TypeAlias = "License | Combination"


class SpdxError(ValueError):
    """The text is not an SPDX license expression."""


def parse_spdx(text: str) -> Node:
    """Parse an SPDX license expression; raises :class:`SpdxError`.

    Operators are accepted in any case (``and``, ``Or``), as many tools write them.
    """
    tokens: list[str] = []
    position = 0
    stripped = text.strip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:
            raise SpdxError(f"unexpected {stripped[position:].strip()[:20]!r}")
        tokens.append(match.group(1))
        position = match.end()
    if not tokens:
        raise SpdxError("empty expression")
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.position != len(tokens):
        raise SpdxError(f"unexpected {tokens[parser.position]!r}")
    return node


class _Parser:
    """Recursive descent over the tokens: OR of ANDs of (WITH) terms."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def _peek_operator(self, word: str) -> bool:
        return self.position < len(self.tokens) and self.tokens[self.position].upper() == word

    def expression(self) -> Node:
        parts = [self.conjunction()]
        while self._peek_operator("OR"):
            self.position += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Combination(False, tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.term()]
        while self._peek_operator("AND"):
            self.position += 1
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else Combination(True, tuple(parts))

    def term(self) -> Node:
        atom = self.atom()
        if self._peek_operator("WITH"):
            self.position += 1
            if not isinstance(atom, License):
                raise SpdxError("WITH must follow a license identifier")
            return License(atom.name, self._identifier())
        return atom

    def atom(self) -> Node:
        if self.position >= len(self.tokens):
            raise SpdxError("the expression ends too early")
        word = self.tokens[self.position]
        if word == "(":
            self.position += 1
            node = self.expression()
            if self.position >= len(self.tokens) or self.tokens[self.position] != ")":
                raise SpdxError("a '(' is not closed")
            self.position += 1
            return node
        return License(self._identifier())

    def _identifier(self) -> str:
        if self.position >= len(self.tokens):
            raise SpdxError("the expression ends too early")
        token = self.tokens[self.position]
        if token in ("(", ")") or token.upper() in _OPERATORS:
            raise SpdxError(f"expected a license identifier, got {token!r}")
        self.position += 1
        return token


def _satisfied(node: Node, allowed: Collection[str]) -> bool:
    if isinstance(node, License):
        return _license_allowed(node, allowed)
    results = (_satisfied(part, allowed) for part in node.parts)
    return all(results) if node.all_required else any(results)


def _license_allowed(license: License, allowed: Collection[str]) -> bool:
    # An exception only adds permissions: "X WITH e" is fine wherever X is.
    return str(license).lower() in allowed or license.name.lower() in allowed


def _licenses(node: Node) -> list[License]:
    if isinstance(node, License):
        return [node]
    return [license for part in node.parts for license in _licenses(part)]


@dataclass(frozen=True, slots=True)
class LicenseVerdict:
    """What the metadata says about the license, and whether the allow list admits it.

    ``allowed`` is None when the license is unknown. ``evidence`` describes what was read,
    e.g. ``License-Expression 'MIT OR GPL-3.0-only'``; ``detail`` why it failed.
    """

    allowed: bool | None
    evidence: str
    detail: str = ""

    def describe(self) -> str:
        """A clause for messages: the evidence, then why it failed."""
        return f"{self.evidence}: {self.detail}" if self.detail else self.evidence


def judge_license(
    license_expression: str | None,
    classifiers: Iterable[str],
    license_text: str | None,
    allowed: Collection[str],
) -> LicenseVerdict:
    """Judge one distribution's license fields against ``allowed`` (lower-case ids)."""
    if license_expression and license_expression.strip():
        expression = license_expression.strip()
        evidence = f"License-Expression {expression!r}"
        try:
            node = parse_spdx(expression)
        except SpdxError as error:
            return LicenseVerdict(None, evidence, f"not a valid SPDX expression ({error})")
        return _verdict(node, allowed, evidence)

    license_classifiers = [c for c in classifiers if c.startswith("License ::")]
    mapped = [(c, CLASSIFIER_LICENSES[c]) for c in license_classifiers if c in CLASSIFIER_LICENSES]
    if mapped:
        for classifier, ids in mapped:
            if all(spdx.lower() in allowed for spdx in ids):
                return LicenseVerdict(True, f"classifier {classifier!r}")
        shown = "; ".join(f"{c!r} ({'/'.join(ids)})" for c, ids in mapped)
        plural = "s" if len(mapped) > 1 else ""
        return LicenseVerdict(False, f"classifier{plural} {shown}", "not in allowed-licenses")

    if license_text and len(license_text) <= _LEGACY_MAX_LENGTH and "\n" not in license_text:
        try:
            node = parse_spdx(license_text)
        except SpdxError:
            pass
        else:
            if all(license.name.lower() in _WELL_KNOWN for license in _licenses(node)):
                return _verdict(node, allowed, f"License {license_text.strip()!r}")

    found = []
    if license_classifiers:
        found.append(f"unrecognised classifier(s) {', '.join(map(repr, license_classifiers))}")
    if license_text:
        shown = license_text.strip().splitlines()[0] if license_text.strip() else ""
        shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
        found.append(f"License {shown!r}")
    if found:
        return LicenseVerdict(None, "the license is unknown", "only " + " and ".join(found))
    return LicenseVerdict(
        None, "the license is unknown", "no License-Expression, license classifier or License"
    )


def _verdict(node: Node, allowed: Collection[str], evidence: str) -> LicenseVerdict:
    if _satisfied(node, allowed):
        return LicenseVerdict(True, evidence)
    refused = [
        str(license)
        for license in dict.fromkeys(_licenses(node))
        if not _license_allowed(license, allowed)
    ]
    return LicenseVerdict(False, evidence, f"{', '.join(refused)} not in allowed-licenses")
