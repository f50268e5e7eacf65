"""`gureum start`: flags → Config → gureum.server serving the App."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from . import __version__
from .config import Config, default_data_dir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gureum", description="AWS application-integration services on your own machine."
    )
    parser.add_argument("--version", action="version", version=f"gureum {__version__}")
    sub = parser.add_subparsers(dest="command")
    start = sub.add_parser("start", help="start the server (foreground)")
    start.add_argument("--host", default=os.environ.get("GUREUM_HOST", "127.0.0.1"))
    start.add_argument("--port", type=int, default=int(os.environ.get("GUREUM_PORT", "4566")))
    where = start.add_mutually_exclusive_group()
    where.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"where state is kept (default: $GUREUM_DATA_DIR or {default_data_dir()})",
    )
    where.add_argument("--in-memory", action="store_true", help="keep nothing on disk (state is lost at exit)")
    start.add_argument(
        "--store", default=os.environ.get("GUREUM_STORE"), help="store URL (default: SQLite in the data dir)"
    )
    start.add_argument(
        "--sync",
        choices=("normal", "full"),
        default=os.environ.get("GUREUM_SYNC", "normal"),
        help="normal survives kill -9; full also survives power loss",
    )
    start.add_argument("--log-level", default=os.environ.get("GUREUM_LOG_LEVEL", "info"))
    start.add_argument(
        "--strict-auth",
        action="store_true",
        default=os.environ.get("GUREUM_STRICT_AUTH") == "1",
        help="verify SigV4 signatures (default: accept any credentials)",
    )
    start.add_argument(
        "--credentials",
        default=os.environ.get("GUREUM_CREDENTIALS", ""),
        help="strict mode's static keys, 'AKID:SECRET[,AKID2:SECRET2]' (default test:test)",
    )
    return parser


def build_config(args: argparse.Namespace) -> Config:
    if args.in_memory or os.environ.get("GUREUM_IN_MEMORY") == "1":
        data_dir = None
    else:
        data_dir = args.data_dir or Path(os.environ.get("GUREUM_DATA_DIR") or default_data_dir())
    pairs = []
    for item in filter(None, (part.strip() for part in args.credentials.split(","))):
        key, sep, secret = item.partition(":")
        if not sep or not key or not secret:
            raise SystemExit(f"--credentials takes AKID:SECRET pairs separated by commas, not {item!r}")
        pairs.append((key, secret))
    if args.strict_auth and not pairs:
        pairs = [("test", "test")]
    return Config(
        host=args.host,
        port=args.port,
        data_dir=data_dir,
        store_url=args.store,
        sync=args.sync,
        log_level=args.log_level,
        strict_auth=args.strict_auth,
        credentials=tuple(pairs),
    )


def serve(config: Config) -> None:
    from .app import App
    from .server import run

    logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    where = "in memory" if config.in_memory else (config.store_url or str(config.data_dir))
    logging.getLogger("gureum").info(
        "gureum %s on http://%s:%d (state: %s)", __version__, config.host, config.port, where
    )
    run(App(config), config.host, config.port)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command != "start":
        _parser().print_help()
        sys.exit(0 if args.command is None else 2)
    serve(build_config(args))


if __name__ == "__main__":
    main()
