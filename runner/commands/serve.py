"""``rewardbox serve [CONFIG.toml]``: the sandboxed graders behind HTTP, for trainers that call rewards over the network.

Binds 127.0.0.1 unless told otherwise; any other address needs a bearer token (read from the
environment variable ``token_env`` names, ``REWARDBOX_TOKEN`` by default). Stops on SIGTERM or
Ctrl-C after answering the requests it holds. Exit 0 when stopped by SIGTERM, 130 by Ctrl-C, 2 for a
bad config, a missing token or a reward that cannot load.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from ..errors import UsageError
from ..options import REWARD_DESC, add_sandbox_options, sandbox_options

HOST_DESC = "address to bind (default 127.0.0.1; any other address needs a bearer token)"
PORT_DESC = "TCP port (default 8000)"
TOKEN_ENV_DESC = "environment variable holding the bearer token clients must send (default REWARDBOX_TOKEN)"
NAME_DESC = "the name the --reward is served under, in paths such as /v1/grade/NAME (default: its file's or library name)"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve rewards over HTTP: a batch API, OpenRLHF's, slime's and SandboxFusion's endpoints, metrics",
        description="Serve the rewards of CONFIG.toml (or one --reward) over HTTP with their sandboxed graders: "
        "POST /v1/grade (rewardbox's batch API) and /v1/grade/stream, /get_reward (OpenRLHF's --remote_rm_url), "
        "/slime (slime's --rm-url), /run_code (SandboxFusion's, for verl and tinker-cookbook), GET /health, /ready and "
        "/metrics (Prometheus). See docs/serve/index.md. Needs the serve extra: pip install 'rewardbox[serve]'.",
    )
    parser.add_argument("config", nargs="?", metavar="CONFIG.toml", help="the service's config (docs/serve/index.md); or give --reward")
    parser.add_argument("--reward", metavar="REWARD", help=REWARD_DESC)
    parser.add_argument("--name", metavar="NAME", help=NAME_DESC)
    parser.add_argument("--host", help=HOST_DESC)
    parser.add_argument("--port", type=int, help=PORT_DESC)
    parser.add_argument("--token-env", metavar="VAR", help=TOKEN_ENV_DESC)
    parser.add_argument("--no-run-code", action="store_true", help="do not answer SandboxFusion's /run_code")
    add_sandbox_options(parser.add_argument_group("grader (with --reward)"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or Ctrl-C; exit 0, or 2 for a bad config, a missing token or a reward that cannot load."""
    try:
        import uvicorn

        from ..serve.app import create_app
        from ..serve.config import RewardConfig, ServeConfig, ServeConfigError, check, load_serve_config
        from ..serve.service import Service
    except ImportError as exc:
        raise UsageError(f"{exc}: rewardbox serve needs the serve extra: pip install 'rewardbox[serve]'") from None
    try:
        config = _config(args, RewardConfig, ServeConfig, check, load_serve_config)
    except ServeConfigError as exc:
        raise UsageError(str(exc)) from None
    token = os.environ.get(config.token_env) or None
    if token is None and not config.loopback:
        raise UsageError(f"--host {config.host} is not loopback: set a bearer token in ${config.token_env} (clients send Authorization: Bearer ...)")
    service = Service(config)
    service.start()  # a reward that cannot load raises RewardLoadError: exit 2 with its file and line (cli.main)
    where = f"http://{config.host}:{config.port}"
    print(f"rewardbox serve: {', '.join(service.names()) or 'no reward'}{' and /run_code' if config.run_code else ''} at {where}"
          f"{' (bearer token required)' if token else ''}", file=sys.stderr)
    # log_config=None: uvicorn's own logging config goes through logging.config.dictConfig, which closes every
    # handler the process already has (a library's handler on a stream it does not own closes that stream)
    server = uvicorn.Server(uvicorn.Config(
        create_app(service, token), host=config.host, port=config.port, log_level="warning", log_config=None,
        timeout_graceful_shutdown=int(config.request_timeout) + 5, access_log=False,
    ))
    stopped_by: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):  # uvicorn shuts down gracefully, then raises the signal again: noted here
        signal.signal(signum, lambda number, frame: stopped_by.append(number))
    try:
        server.run()
    finally:
        service.close()
    return 130 if signal.SIGINT in stopped_by else 0


def _config(args, RewardConfig, ServeConfig, check, load_serve_config):
    if args.config and args.reward:
        raise UsageError("give CONFIG.toml or --reward, not both")
    if args.config:
        config = load_serve_config(args.config)
    elif args.reward:
        options = sandbox_options(args)
        reward = RewardConfig(reward=args.reward, **{key: value for key, value in options.items() if key in RewardConfig.model_fields and value is not None})
        config = check(ServeConfig(rewards={args.name or _name_of(args.reward): reward}), "--reward")
    else:
        raise UsageError("give the service's CONFIG.toml, or --reward for one reward")
    updates = {key: value for key, value in (("host", args.host), ("port", args.port), ("token_env", args.token_env)) if value is not None}
    if args.no_run_code:
        updates["run_code"] = False
    return config.model_copy(update=updates)


def _name_of(spec: str) -> str:
    if spec.startswith("library:"):
        return spec.removeprefix("library:")
    path, _, function = spec.partition(":")
    stem = os.path.splitext(os.path.basename(path))[0]
    return function or stem or "reward"
