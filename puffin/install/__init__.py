"""Installing wheels from the cache into an environment.

``unpack_wheel`` extracts a wheel once into the ``wheels-v1`` cache bucket (verified
against its RECORD); ``install_wheel`` places an unpacked wheel into an install scheme
with ``place_file``'s atomic links or copies and writes the new RECORD last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._lazy import lazy_exports

if TYPE_CHECKING:
    from puffin.install.link import LinkMode, place_file
    from puffin.install.unpack import unpack_wheel
    from puffin.install.wheel import InstalledFiles, install_wheel

__all__ = ["InstalledFiles", "LinkMode", "install_wheel", "place_file", "unpack_wheel"]

# Imported on first use: a command that only resolves never loads the installer.
__getattr__ = lazy_exports(
    __name__,
    {
        "InstalledFiles": "puffin.install.wheel",
        "LinkMode": "puffin.install.link",
        "install_wheel": "puffin.install.wheel",
        "place_file": "puffin.install.link",
        "unpack_wheel": "puffin.install.unpack",
    },
)
