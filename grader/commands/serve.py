"""``grader serve``: the web app behind waitress, a production WSGI server."""
from __future__ import annotations

import argparse
import logging
import signal
import socket
from pathlib import Path

from grader.commands import count_of
from grader.errors import GraderError

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for a LAN)")
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p.add_argument("--threads", type=count_of("request threads"), default=8,
                   help="request threads (default 8; grading runs in worker processes)")
    p.add_argument("--demo", action="store_true", help="make sure a demo exercise exists first")
    p.add_argument("--demo-class", action="store_true",
                   help="also grade the sample photos once as a demo class (for trying the trainer pages; "
                        "not for a real deployment, whose class tables it would join)")
    p.set_defaults(func=cmd_serve)


def _port(text: str) -> int:
    """``--port P``: a TCP port, 1 to 65535 (argparse reports anything else as bad usage)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 1 to 65535, got {port}")
    return port


def ensure_demo_data() -> str:
    """Create (once) the demo exercise so a fresh install has something to grade against.

    Once: written again at every start, its "made" time moved and it jumped to the top of the trainer's list, and
    a demo exercise the trainer had removed came back. (A key that cannot be read is written again.)"""
    from grader.errors import GraderError
    from grader.exercise.scenario import generate_exercise
    from grader.exercise.store import REMOVED_MARK, exercises_dir, load_key_by_code, save_exercise
    from grader.sheet.schema import resolve_template

    ex = generate_exercise(resolve_template("chasil-kwk"), contest="bupati", pairs=3, seed=1)
    try:
        load_key_by_code(ex.code)
        return ex.code
    except GraderError:
        if (exercises_dir() / ex.code / REMOVED_MARK).exists():
            return ex.code                    # removed by the trainer: left removed
    save_exercise(ex)
    return ex.code


def _seed_demo_class(app) -> None:
    """A graded demo class for the trainer pages (queued once); a failure here must not stop the server."""
    from grader.web.demo import seed_demo_class
    try:
        with app.app_context():
            demo = seed_demo_class(Path(app.config["DATA_DIR"]))
    except Exception:  # noqa: BLE001 - the app works without its demo class
        log.exception("could not create the demo class")
        return
    if demo:
        # (queued once, at the first start; said at every start, so not "graded in the background": helper-145)
        print(f"demo class: sample sheets of exercise {demo} (trainer pages: /trainer/latihan/{demo})")


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (waitress listens on it): the port taken (another server still running), an
    address not this machine's, or one that is no address at all (256.1.1.1, '') is said here, before any work."""
    try:
        if not host.strip():
            raise ValueError("an empty address")
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # (as waitress does: not a port in use)
        sock.bind(address)
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise GraderError("bad_usage", f"cannot serve on {host}:{port} ({why}); choose another --port or --host") \
            from None
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from grader.config import data_dir
    from grader.web import create_app
    from grader.web.serving_lock import hold_data_folder

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The address first: a second `grader serve` on a port taken by a running one must stop before it touches the
    # data folder they share (its start-up recovery re-queued the running server's jobs, its password check could
    # end that server's logins, its demo data be written again).
    sock = _listening_socket(args.host, args.port)
    # Then the data folder: a second server on another port (or address) would run the start's recovery on the
    # running server's work in progress (re-queue its running jobs and grade those sheets again beside it), so it
    # stops here, naming the server that holds the folder (grader.web.serving_lock). Held until this process ends.
    address = f"http://{args.host}:{args.port}/"
    held = [hold_data_folder(data_dir(), address)]
    if args.demo:
        print(f"demo exercise: {ensure_demo_data()}")
    app = create_app()
    if Path(app.config["DATA_DIR"]).resolve() != data_dir():     # (a config file's DATA_DIR: that folder too)
        held.append(hold_data_folder(Path(app.config["DATA_DIR"]).resolve(), address))
    # SIGTERM (kill, docker stop) must end the worker processes too: by default Python would die at once,
    # skipping the clean-up below and leaving them running. Queued jobs stay in the database either way.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        app.extensions["grader.jobs"].warm_up()     # worker processes start (and import the pipeline) now
        # finish what a previous run left (a failing step: logged, retried; one that hangs: serving starts after
        # RECOVERY_WAIT_S all the same, requests answered 503 until it ends)
        app.extensions["grader.recover"]()
        if args.demo_class:
            _seed_demo_class(app)
        server = waitress.create_server(app, sockets=[sock], threads=args.threads)
        print(f"grader: serving on http://{args.host}:{args.port}/ (trainer pages: /trainer)", flush=True)
        if args.host in ("0.0.0.0", "::", ""):        # (every interface: say the addresses phones open)
            from grader.web.lan_address import lan_addresses
            for ip in lan_addresses():
                print(f"grader: on this computer's network: http://{ip}:{args.port}/", flush=True)
        server.print_listen("Serving on http://{}:{}")
        server.run()
    finally:
        app.extensions["grader.jobs"].shutdown(wait=False)
        for lock in held:
            lock.close()
    return 0
