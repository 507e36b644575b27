"""run_command: asyncio.run without a repr of the result."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

from puffin.concurrency import run_command


class _Loud:
    def __init__(self) -> None:
        self.reprs = 0

    def __repr__(self) -> str:
        self.reprs += 1
        return "<loud>"


def test_the_result_comes_back_and_is_never_formatted() -> None:
    result = _Loud()

    async def main() -> _Loud:
        await asyncio.sleep(0)
        return result

    assert run_command(main()) is result
    assert result.reprs == 0


def test_in_a_main_thread_that_swaps_the_sigint_handler_nothing_is_formatted() -> None:
    # In a plain interpreter's main thread asyncio.run swaps the SIGINT handler, and
    # restoring it formats the main task with its result: the cost run_command avoids.
    script = textwrap.dedent(
        """
        import asyncio
        from puffin.concurrency import run_command

        class Loud:
            reprs = 0
            def __repr__(self):
                Loud.reprs += 1
                return "<loud>"

        async def main():
            return Loud()

        asyncio.run(main())
        plain = Loud.reprs
        Loud.reprs = 0
        run_command(main())
        print(plain, Loud.reprs)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1] == "0", f"run_command formatted the result ({out[0]} times with asyncio.run)"
