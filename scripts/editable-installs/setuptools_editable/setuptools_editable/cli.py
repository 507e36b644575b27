"""The ``setuptools-editable-greet`` console script."""

from setuptools_editable import greet


def main() -> None:
    """Print the greeting."""
    print(greet())


if __name__ == "__main__":
    main()
