"""RK10x: side effects a reward must not have (network, processes, file writes, environment)."""

from __future__ import annotations

import ast
from typing import Iterator

from ..model import Module
from ..registry import Hit, rule

NETWORK_MODULES = {
    "socket": "a socket library",
    "ssl": "a socket library",
    "urllib.request": "an HTTP client",
    "urllib3": "an HTTP client",
    "http.client": "an HTTP client",
    "requests": "an HTTP client",
    "httpx": "an HTTP client",
    "aiohttp": "an HTTP client",
    "pycurl": "an HTTP client",
    "websocket": "a websocket client",
    "websockets": "a websocket client",
    "ftplib": "an FTP client",
    "smtplib": "an SMTP client",
    "xmlrpc.client": "an RPC client",
    "grpc": "an RPC client",
    "openai": "an API client",
    "anthropic": "an API client",
    "litellm": "an API client",
}
NETWORK_CALLS = {"nltk.download": "downloads data", "huggingface_hub.hf_hub_download": "downloads a file"}

PROCESS_CALLS = {
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen",
    "subprocess.getoutput", "subprocess.getstatusoutput", "os.system", "os.popen", "os.fork", "os.forkpty",
    "os.posix_spawn", "os.posix_spawnp", "pty.spawn", "multiprocessing.Process", "multiprocessing.Pool",
    "concurrent.futures.ProcessPoolExecutor", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
}
PROCESS_PREFIXES = ("os.exec", "os.spawn")

WRITE_CALLS = {
    "os.remove", "os.unlink", "os.rename", "os.replace", "os.rmdir", "os.removedirs", "os.mkdir", "os.makedirs",
    "os.truncate", "os.symlink", "os.link", "os.chmod", "shutil.copy", "shutil.copy2", "shutil.copyfile",
    "shutil.copytree", "shutil.move", "shutil.rmtree",
}
WRITE_METHODS = {"write_text", "write_bytes", "unlink", "mkdir", "rmdir", "touch", "rename", "replace"}
ENVIRONMENT_WRITES = {"setdefault", "update", "pop", "clear"}
_PATH_TYPES = ("pathlib.Path", "pathlib.PurePath", "Path")


def _imported_modules(module: Module) -> Iterator[tuple[ast.stmt, list[str]]]:
    """Each import statement with the dotted names it may load (``from a import b`` may load ``a.b``)."""
    for node in module.nodes:
        if isinstance(node, ast.Import):
            yield node, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]


@rule("RK101", "network-client", "error")
def network_client(module: Module) -> Iterator[Hit]:
    """A network client (sockets, HTTP, API SDKs) or a data download in the reward.

    What it finds:
        Imports of `socket`, `ssl`, `requests`, `httpx`, `aiohttp`, `urllib.request`, `urllib3`, `http.client`,
        websocket, FTP, SMTP and RPC clients, and LLM API SDKs (`openai`, `anthropic`, `litellm`); calls of
        `nltk.download` and `huggingface_hub.hf_hub_download`.

    Why it hurts training:
        A reward must be offline and deterministic. rewardbox runs it with no network, so every call that
        reaches out fails; in-process trainers hang on slow servers instead (OpenRLHF's remote reward waits
        180 s with 5 retries per fetch, and logs a failed fetch at INFO while the reward stays None). Hidden
        downloads break the same way: lm-eval's IFEval calls `nltk.download("punkt_tab")` at import, and
        METEOR raises `LookupError: wordnet` offline.

    Example:
        import requests

        def compute_reward(completion, ground_truth):
            verdict = requests.post(JUDGE_URL, json={"answer": completion}).json()
            return float(verdict["correct"])

    Use instead:
        Compare offline (`library:math`, exact match, a local parser). Ship data files next to the reward and
        read them at import. An LLM judge belongs in its own rate-limited service, not in `compute_reward`.

    Not flagged:
        `urllib.parse` and `http.HTTPStatus` (no I/O), and importing a client under `if TYPE_CHECKING:`.
    """
    for node, names in _imported_modules(module):
        if _type_checking_only(module, node):
            continue
        found = next(((name, kind) for name in names for prefix, kind in NETWORK_MODULES.items() if name == prefix or name.startswith(prefix + ".")), None)
        if found:
            yield node, f"`{found[0]}` is {found[1]}: rewards run offline (the sandbox has no network), so every call that uses it fails"
    for node in module.nodes:
        name = module.call_name(node)
        if name in NETWORK_CALLS:
            yield node, f"`{name}` {NETWORK_CALLS[name]} from the network: offline, in the sandbox, it fails"


def _type_checking_only(module: Module, node: ast.AST) -> bool:
    parent = module.parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If) and module.qualified_name(parent.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            return True
        parent = module.parents.get(parent)
    return False


@rule("RK102", "runs-completion", "warning")
def runs_completion(module: Module) -> Iterator[Hit]:
    """A reward that runs the completion as a program or a shell command and trusts what comes back.

    What it finds:
        Calls of `subprocess.run`/`Popen`/`check_output`/..., `os.system`, `os.popen`, `os.exec*`, `os.spawn*`,
        `pty.spawn` and asyncio's subprocess functions whose arguments come from the completion.

    Why it hurts training:
        The program's output and exit status are the model's to write: graders that shell out to run tests came
        to trust forged `PASSED` lines (SWE-bench #620), a planted `conftest.py` that forces exit code 0
        (aider #5681), `sys.exit(0)` before the first test, and tests whose expected values the program could
        read. The sandbox confines the process (no network, its task budget), but it cannot make such a verdict
        honest.

    Example:
        import subprocess

        def compute_reward(completion, ground_truth):
            result = subprocess.run(["python", "-c", completion], capture_output=True, text=True, timeout=5)
            return float(result.stdout.strip() == ground_truth)

    Use instead:
        The library's code judge (`library:code`): it runs the program apart from the tests, in seven languages,
        with per-test limits and verdicts, and compares outside the program's reach.

    Not flagged:
        Processes that do not run the completion: worker pools (`multiprocessing`, `ProcessPoolExecutor`) and
        fixed commands. A call may start processes within its budget (300 tasks), all killed with the call.
    """
    for node in module.nodes:
        name = module.call_name(node)
        if name and (name in PROCESS_CALLS or name.startswith(PROCESS_PREFIXES)) and isinstance(node, ast.Call):
            arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
            if any("completion" in module.role(argument) for argument in arguments):
                yield node, f"`{name}` runs the completion: its output and exit status are the model's to forge; judge programs with library:code"


@rule("RK103", "file-write", "warning")
def file_write(module: Module) -> Iterator[Hit]:
    """A reward that writes, moves or deletes files.

    What it finds:
        `open(...)` with a mode that writes (`w`, `a`, `x`, `+`), `Path.write_text`/`write_bytes`/`unlink`/
        `mkdir`/`touch`, and `os`/`shutil` calls that create, move or remove files.

    Why it hurts training:
        A reward's result must depend only on its inputs. Files written by one call are read by the next only
        when calls share a process or a disk, so scores change with scheduling; in the sandbox writes outside a
        per-call temporary directory fail (Landlock) and that directory is deleted after the call, so a reward
        that logs to `/data/log.txt` scores every item as an exception.

    Example:
        def compute_reward(completion, ground_truth):
            with open("/tmp/rewards.log", "a") as log:
                log.write(completion)
            return float(completion.strip() == ground_truth)

    Use instead:
        Return sub-scores with `record_components` and let the trainer log them; write debug files from the
        caller (`rewardbox grade` writes every result with its output).

    Not flagged:
        Reads (`open(path)`, `open(path, "rb")`), `tempfile` use, and writes to `io.StringIO`.
    """
    for node in module.nodes:
        if not isinstance(node, ast.Call):
            continue
        name = module.call_name(node) or ""
        if name in ("open", "io.open", "codecs.open", "builtins.open"):
            mode_node = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
            mode = module.string_value(mode_node) if mode_node is not None else "r"
            if mode is not None and any(flag in mode for flag in "wax+"):
                yield node, f"`{module.snippet(node)}` opens a file for writing: writes outside the call's temp dir fail in the sandbox, and results must not depend on files"
        elif name in WRITE_CALLS:
            yield node, f"`{name}` changes the file system: the sandbox confines writes to a per-call temp dir, and results must not depend on files"
        elif isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS and _is_path(module, node.func.value):
            yield node, f"`{module.snippet(node)}` writes to the file system: the sandbox confines writes to a per-call temp dir, and results must not depend on files"


def _is_path(module: Module, expr: ast.AST) -> bool:
    """A pathlib object: ``Path(...)``, ``Path(...) / "x"``, or a name assigned from one."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
        return _is_path(module, expr.left)
    if isinstance(expr, ast.Call):
        return (module.call_name(expr) or "") in _PATH_TYPES
    if isinstance(expr, ast.Name):
        value = module.assigned_value(expr)
        return value is not None and _is_path(module, value)
    return False


@rule("RK104", "environment-read", "warning")
def environment_read(module: Module) -> Iterator[Hit]:
    """A reward that reads environment variables.

    What it finds:
        `os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)` and any other use of `os.environ`.

    Why it hurts training:
        The result then depends on where the reward runs: your shell, a trainer's workers and the sandbox
        (which passes an allow-listed environment with no API keys or tokens) see different values, so a reward
        that was checked locally silently scores differently in training. A key read this way usually means a
        network call is coming (RK101).

    Example:
        import os

        STRICT = os.environ.get("STRICT_MATCH") == "1"

    Use instead:
        Make the setting a parameter: `library:NAME` rewards take `params`, and a file reward can read a
        config file that ships next to it.

    Not flagged:
        Settings for libraries: `os.environ[...] = ...`, `del os.environ[...]`, `os.environ.setdefault(...)`,
        `os.environ.update(...)`.
    """
    for node in module.nodes:
        if isinstance(node, ast.Call) and module.call_name(node) in ("os.getenv", "os.environ.get"):
            yield node, f"`{module.snippet(node)}` reads an environment variable: the sandbox's environment is allow-listed, so the reward behaves differently there"
        elif isinstance(node, (ast.Attribute, ast.Name)) and module.qualified_name(node) == "os.environ":
            parent = module.parents.get(node)
            if isinstance(parent, ast.Attribute) and isinstance(module.parents.get(parent), ast.Call) and parent.attr in ENVIRONMENT_WRITES | {"get"}:
                continue  # reported as a call (get), or a setting for a library (setdefault, update)
            if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, (ast.Store, ast.Del)):
                continue
            shown = parent if isinstance(parent, ast.Subscript) else node
            yield shown, f"`{module.snippet(shown)}` reads the environment: the sandbox's environment is allow-listed, so the reward behaves differently there"
