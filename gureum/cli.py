"""`gureum start`: flags → Config → gureum.server serving the App."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
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
        "--access-log",
        action="store_true",
        default=os.environ.get("GUREUM_ACCESS_LOG", "").lower() in ("1", "true", "yes", "on"),
        help="log one line per AWS request: service, operation, status, error code, latency (on at debug)",
    )
    start.add_argument(
        "--strict-auth",
        action="store_true",
        default=os.environ.get("GUREUM_STRICT_AUTH") == "1",
        help="verify SigV4 signatures (default: accept any credentials)",
    )
    start.add_argument(
        "--enforce-iam",
        action="store_true",
        default=os.environ.get("GUREUM_ENFORCE_IAM", "").lower() in ("1", "true", "yes", "on"),
        help="authorise every request and delivery with IAM and resource policies as AWS does (implies --strict-auth)",
    )
    start.add_argument(
        "--learn-iam",
        action="store_true",
        default=os.environ.get("GUREUM_LEARN_IAM", "").lower() in ("1", "true", "yes", "on"),
        help="with enforcement off, log (and list at /_gureum/iam/would-deny) what --enforce-iam would refuse",
    )
    start.add_argument(
        "--credentials",
        default=os.environ.get("GUREUM_CREDENTIALS", ""),
        help="strict mode's static keys, 'AKID:SECRET[,AKID2:SECRET2]' (default test:test)",
    )
    start.add_argument(
        "--smtp-port",
        type=int,
        default=int(os.environ.get("GUREUM_SMTP_PORT", "4587")),
        help="port of SES's SMTP interface (STARTTLS, SES SMTP credentials; default 4587, 0: off)",
    )
    start.add_argument(
        "--smtp-inbound-port",
        type=int,
        default=int(os.environ.get("GUREUM_SMTP_INBOUND_PORT", "4025")),
        help="port where SES receives mail for verified domains (receipt rules; default 4025, 0: off)",
    )
    start.add_argument(
        "--no-tracing",
        action="store_true",
        default=os.environ.get("GUREUM_TRACING", "").lower() in ("0", "false", "no", "off"),
        help="record no X-Ray trace segments (the xray API then reads nothing new)",
    )
    start.add_argument(
        "--trace-retention",
        type=int,
        default=int(os.environ.get("GUREUM_TRACE_RETENTION", "10000")),
        help="traces kept; beyond, the oldest are dropped (default 10000)",
    )
    start.add_argument(
        "--no-ui",
        action="store_true",
        default=os.environ.get("GUREUM_UI", "").lower() in ("0", "false", "no", "off"),
        help="do not serve the web console at /_gureum/ui",
    )
    _limit_flags(start)
    return parser


# (flag, Config field, type, help): what one HTTP client may ask of the server; each also reads GUREUM_<FIELD>
_LIMITS: tuple[tuple[str, str, type, str], ...] = (
    ("--max-request-line", "max_request_line", int, "bytes in a request line (longer: 400)"),
    ("--max-header-bytes", "max_header_bytes", int, "bytes in all header lines together (more: 431)"),
    ("--header-timeout", "header_timeout", float, "seconds for a request's headers to arrive (then 408)"),
    ("--body-timeout", "body_timeout", float, "seconds a request body may pause (then 408)"),
    ("--body-min-rate", "body_min_rate", float, "bytes/s a body must average after --body-timeout (else 408)"),
    ("--keepalive-timeout", "keepalive_timeout", float, "seconds a connection may idle between requests"),
    ("--max-connections-per-client", "max_connections_per_client", int, "connections per client address (0: any)"),
)


def _limit_flags(start: argparse.ArgumentParser) -> None:
    defaults = Config()
    for flag, field, kind, text in _LIMITS:
        default = getattr(defaults, field)
        start.add_argument(
            flag,
            type=kind,
            default=kind(os.environ.get(f"GUREUM_{field.upper()}", default)),
            help=f"{text} (default {default})",
        )


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
    strict = args.strict_auth or args.enforce_iam
    if strict and not pairs:
        pairs = [("test", "test")]
    return Config(
        host=args.host,
        port=args.port,
        data_dir=data_dir,
        store_url=args.store,
        sync=args.sync,
        log_level=args.log_level,
        strict_auth=strict,
        enforce_iam=args.enforce_iam,
        learn_iam=args.learn_iam,
        credentials=tuple(pairs),
        smtp_port=args.smtp_port,
        smtp_inbound_port=args.smtp_inbound_port,
        tracing=not args.no_tracing,
        trace_retention=max(1, args.trace_retention),
        ui=not args.no_ui,
        **{field: getattr(args, field) for _, field, _, _ in _LIMITS},
    )


def _port_in_use(host: str, port: int) -> str | None:
    """Why gureum cannot listen on host:port (one line), or None when it can."""
    try:
        addresses = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"cannot listen on {host}:{port}: {error.strerror}"
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
            try:
                sock.bind(address)
            except OSError as error:
                return _bind_problem(error, host, port)
    return None


def _bind_problem(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} is in use — is gureum already running? use --port"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def _configure_logging(level: str, access_log: bool) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # the access log (gureum.access, one line per AWS request) is opt-in, and on at debug
    on = access_log or logging.getLogger().isEnabledFor(logging.DEBUG)
    logging.getLogger("gureum.access").setLevel(logging.INFO if on else logging.WARNING)


def _lock_data_dir(config: Config) -> int | None:
    """One gureum per SQLite data directory: a second process would cache queue definitions and lead background
    work as if it were alone. The lock dies with the process (kill -9 included)."""
    if config.store_url or config.data_dir is None:
        return None
    import fcntl

    config.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.data_dir / "gureum.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        print(
            f"data directory {config.data_dir} is in use by another gureum (pid {holder}) — stop it, or use another"
            " --data-dir (several nodes share state through --store postgresql://…)",
            file=sys.stderr,
        )
        sys.exit(2)
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def serve(config: Config, access_log: bool = False) -> None:
    from .app import App
    from .server import run

    _configure_logging(config.log_level, access_log)
    problem = _port_in_use(config.host, config.port)
    if problem is not None:
        print(problem, file=sys.stderr)
        sys.exit(2)
    _lock_data_dir(config)  # held until the process exits (a raw descriptor: never closed by the GC)
    where = "in memory" if config.in_memory else (config.store_url or str(config.data_dir))
    logging.getLogger("gureum").info(
        "gureum %s on http://%s:%d (state: %s)", __version__, config.host, config.port, where
    )
    try:
        run(App(config), config.host, config.port)
    except OSError as error:  # taken between the check and the server's bind
        if error.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        print(_bind_problem(error, config.host, config.port), file=sys.stderr)
        sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command != "start":
        _parser().print_help()
        sys.exit(0 if args.command is None else 2)
    serve(build_config(args), access_log=args.access_log)


if __name__ == "__main__":
    main()
