"""The ``soma`` command line: a thin adapter over the engine.

Every command opens the configured stack, does one thing and closes it. Errors
are one line on stderr (``soma: error: ...``) and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from ..errors import SomaError
from .commands import COMMANDS, add_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="soma", description="Long-term memory for AI agents.")
    parser.add_argument("-c", "--config", help="YAML config file (default: $SOMA_CONFIG)")
    parser.add_argument("-n", "--namespace", help="namespace to work in (default: from config)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="soma: %(message)s", stream=sys.stderr
    )
    handler = COMMANDS[args.command]
    try:
        result = handler(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
    except SomaError as exc:
        print(f"soma: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("soma: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
