"""The CycloneDX ``licenses`` of a distribution, from its core metadata.

In order, the first that says anything wins:

1. ``License-Expression`` (core metadata 2.4, PEP 639): ``[{"expression": ...}]``, as
   written;
2. a ``License`` field that is exactly an SPDX license identifier, a common spelling of
   one (``Apache 2.0``, ``MIT License``, ``new BSD``) or an SPDX expression of known
   identifiers (``MIT OR Apache-2.0``): ``{"license": {"id": ...}}`` or an expression;
3. the ``License ::`` classifiers, one entry each: ``{"license": {"id": ...}}`` when the
   classifier names one license unambiguously (``MIT License``, ``GNU General Public
   License v3 or later (GPLv3+)``), else ``{"license": {"name": ...}}`` with the
   classifier's last part (``BSD License``, which does not say which BSD license);
4. any other ``License`` text: ``{"license": {"name": ...}}``; a long or multi-line text
   (a whole license pasted into the field) is named by its first line and kept whole as
   the license ``text``.

Only identifiers of the SPDX license list are ever written as ``id``: CycloneDX validates
them against that list. Unknown texts become names, never guessed identifiers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from puffin.plugin import CoreMetadata

__all__ = ["CLASSIFIER_IDS", "KNOWN_IDS", "licenses", "spdx_id"]

# Trove classifier -> SPDX identifier, for the classifiers that name exactly one license
# (the mapping PEP 639 suggests). "BSD License", "Apache Software License", "GNU General
# Public License (GPL)" and the like do not say which version or variant: they stay names.
CLASSIFIER_IDS: Final[dict[str, str]] = {
    "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "License :: CeCILL-B Free Software License Agreement (CECILL-B)": "CECILL-B",
    "License :: CeCILL-C Free Software License Agreement (CECILL-C)": "CECILL-C",
    "License :: OSI Approved :: Attribution Assurance License": "AAL",
    "License :: OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)": "BlueOak-1.0.0",
    "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "License :: OSI Approved :: CEA CNRS Inria Logiciel Libre License, version 2.1 "
    "(CeCILL-2.1)": "CECILL-2.1",
    "License :: OSI Approved :: CMU License (MIT-CMU)": "MIT-CMU",
    "License :: OSI Approved :: Common Development and Distribution License 1.0 "
    "(CDDL-1.0)": "CDDL-1.0",
    "License :: OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "License :: OSI Approved :: Educational Community License, Version 2.0 (ECL-2.0)": "ECL-2.0",
    "License :: OSI Approved :: European Union Public Licence 1.0 (EUPL 1.0)": "EUPL-1.0",
    "License :: OSI Approved :: European Union Public Licence 1.1 (EUPL 1.1)": "EUPL-1.1",
    "License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "License :: OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
    "License :: OSI Approved :: GNU Affero General Public License v3 or later "
    "(AGPLv3+)": "AGPL-3.0-or-later",
    "License :: OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "License :: OSI Approved :: GNU General Public License v2 or later "
    "(GPLv2+)": "GPL-2.0-or-later",
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "License :: OSI Approved :: GNU General Public License v3 or later "
    "(GPLv3+)": "GPL-3.0-or-later",
    "License :: OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "License :: OSI Approved :: GNU Lesser General Public License v2 or later "
    "(LGPLv2+)": "LGPL-2.0-or-later",
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "License :: OSI Approved :: GNU Lesser General Public License v3 or later "
    "(LGPLv3+)": "LGPL-3.0-or-later",
    "License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "License :: OSI Approved :: IBM Public License": "IPL-1.0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Intel Open Source License": "Intel",
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
    "License :: OSI Approved :: MirOS License (MirOS)": "MirOS",
    "License :: OSI Approved :: Motosoto License": "Motosoto",
    "License :: OSI Approved :: Mozilla Public License 1.0 (MPL)": "MPL-1.0",
    "License :: OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: Mulan Permissive Software License v2 "
    "(MulanPSL-2.0)": "MulanPSL-2.0",
    "License :: OSI Approved :: Nethack General Public License": "NGPL",
    "License :: OSI Approved :: Nokia Open Source License": "Nokia",
    "License :: OSI Approved :: Open Group Test Suite License": "OGTSL",
    "License :: OSI Approved :: Open Software License 3.0 (OSL-3.0)": "OSL-3.0",
    "License :: OSI Approved :: PostgreSQL License": "PostgreSQL",
    "License :: OSI Approved :: Python License (CNRI Python License)": "CNRI-Python",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: Ricoh Source Code Public License": "RSCPL",
    "License :: OSI Approved :: SIL Open Font License 1.1 (OFL-1.1)": "OFL-1.1",
    "License :: OSI Approved :: Sleepycat License": "Sleepycat",
    "License :: OSI Approved :: Sun Industry Standards Source License (SISSL)": "SISSL",
    "License :: OSI Approved :: Sun Public License": "SPL-1.0",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: OSI Approved :: Universal Permissive License (UPL)": "UPL-1.0",
    "License :: OSI Approved :: University of Illinois/NCSA Open Source License": "NCSA",
    "License :: OSI Approved :: Vovida Software License 1.0": "VSL-1.0",
    "License :: OSI Approved :: W3C License": "W3C",
    "License :: OSI Approved :: X.Net License": "Xnet",
    "License :: OSI Approved :: Zero-Clause BSD (0BSD)": "0BSD",
    "License :: OSI Approved :: zlib/libpng License": "Zlib",
}

# SPDX identifiers recognised in a free-text License field (case-insensitively, as SPDX
# matches them): those above and the others common on PyPI. A subset of the SPDX list.
KNOWN_IDS: Final[frozenset[str]] = frozenset(
    {
        *CLASSIFIER_IDS.values(),
        "AFL-3.0",
        "AGPL-3.0",
        "Apache-1.1",
        "Apache-2.0",
        "Artistic-2.0",
        "BSD-1-Clause",
        "BSD-2-Clause",
        "BSD-2-Clause-Patent",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "BSD-4-Clause",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "EPL-1.0",
        "GPL-2.0",
        "GPL-2.0+",
        "GPL-3.0",
        "GPL-3.0+",
        "LGPL-2.0",
        "LGPL-2.1",
        "LGPL-2.1+",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0",
        "LGPL-3.0+",
        "MIT-Modern-Variant",
        "OpenSSL",
        "Python-2.0",
        "Unicode-3.0",
        "Unicode-DFS-2016",
        "WTFPL",
        "X11",
        "ZPL-2.1",
    }
)

_BY_LOWER: Final = {identifier.lower(): identifier for identifier in KNOWN_IDS}

# Spellings of licenses seen in License fields that name one license unambiguously;
# compared lower-cased with whitespace collapsed.
_ALIASES: Final[dict[str, str]] = {
    "mit license": "MIT",
    "the mit license": "MIT",
    "the mit license (mit)": "MIT",
    "mit-license": "MIT",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "apache software license, version 2.0": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "bsd 3-clause": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause",
    "3-clause bsd license": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause",
    "modified bsd license": "BSD-3-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "bsd-2": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause",
    "simplified bsd": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "isc license": "ISC",
    "mpl 2.0": "MPL-2.0",
    "mpl-2": "MPL-2.0",
    "mozilla public license 2.0": "MPL-2.0",
    "gplv2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "agplv3": "AGPL-3.0-only",
    "agplv3+": "AGPL-3.0-or-later",
    "psf": "PSF-2.0",
    "psf license": "PSF-2.0",
    "psfl": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "the unlicense": "Unlicense",
    "cc0": "CC0-1.0",
    "cc0 1.0": "CC0-1.0",
}

_TOKEN: Final = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS: Final = frozenset({"AND", "OR"})
# The longest License text kept as a license name; longer ones are a pasted license.
_MAX_NAME: Final = 100
_NOT_A_LICENSE: Final = frozenset({"", "unknown", "none", "n/a", "-"})


def licenses(metadata: CoreMetadata) -> list[dict[str, Any]]:
    """The CycloneDX ``licenses`` array of ``metadata`` (empty when it declares none)."""
    expression = (metadata.license_expression or "").strip()
    if expression:
        return [{"expression": " ".join(expression.split())}]
    text = (metadata.license or "").strip()
    if text.lower() in _NOT_A_LICENSE:
        text = ""
    single_line = "\n" not in text and len(text) <= _MAX_NAME
    if text and single_line:
        identifier = spdx_id(text)
        if identifier is not None:
            return [{"license": {"id": identifier}}]
        spdx_expression = _expression(text)
        if spdx_expression is not None:
            return [{"expression": spdx_expression}]
    from_classifiers = _from_classifiers(metadata.classifiers)
    if from_classifiers:
        return from_classifiers
    if not text:
        return []
    if single_line:
        return [{"license": {"name": text}}]
    first_line = text.splitlines()[0].strip()
    name = first_line if len(first_line) <= _MAX_NAME else first_line[: _MAX_NAME - 3] + "..."
    return [
        {
            "license": {
                "name": name or "License text",
                "text": {"content": text, "contentType": "text/plain"},
            }
        }
    ]


def spdx_id(text: str) -> str | None:
    """The SPDX identifier ``text`` spells (``mit``, ``Apache 2.0``), or None."""
    key = " ".join(text.split()).lower()
    return _BY_LOWER.get(key) or _ALIASES.get(key)


def _expression(text: str) -> str | None:
    """``text`` as an SPDX expression of known identifiers (``MIT OR Apache-2.0``), with
    identifiers and operators in their canonical case; None when it is not one or has no
    operator (a single identifier is :func:`spdx_id`'s)."""
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    operators = 0
    after_with = False
    for token in tokens:
        upper = token.upper()
        if after_with:
            # A license exception (Classpath-exception-2.0, LLVM-exception): kept as written.
            if not re.fullmatch(r"[A-Za-z0-9.+-]+", token):
                return None
            out.append(token)
            after_with = False
        elif upper in _OPERATORS or upper == "WITH":
            out.append(upper)
            operators += 1
            after_with = upper == "WITH"
        elif token in ("(", ")"):
            out.append(token)
        else:
            identifier = _BY_LOWER.get(token.lower())
            if identifier is None:
                return None
            out.append(identifier)
    if not operators or after_with:
        return None
    return " ".join(out).replace("( ", "(").replace(" )", ")")


def _from_classifiers(classifiers: tuple[str, ...]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for classifier in classifiers:
        parts = [part.strip() for part in classifier.split("::")]
        if parts[0] != "License" or parts[1:] in ([], ["OSI Approved"]):
            continue  # not a license, or only "it is OSI approved"
        canonical = " :: ".join(parts)
        identifier = CLASSIFIER_IDS.get(canonical)
        entry = {"id": identifier} if identifier is not None else {"name": parts[-1]}
        key = identifier or parts[-1]
        if key not in seen:
            seen.add(key)
            found.append({"license": entry})
    return found
