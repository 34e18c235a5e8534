"""The languages the code judge runs: how each compiles and runs, in one table a user can extend.

Each row names its fence tags, the source file, the compile command (none for
interpreted languages) and the run command, with ``{source}``, ``{binary}``,
``{dir}``, ``{main}`` and ``{memory_mb}`` filled in per completion. A program
runs confined and limited per test (``programs.py``); ``memory`` says which
limit bounds its memory: ``address_space`` (RLIMIT_AS), or ``data`` (RLIMIT_DATA)
for runtimes that reserve far more address space than they use (the JVM, V8, Go), whose own heap flag
holds the program to the limit while the rlimit leaves ``memory_overhead_mb`` for the runtime itself.

====== ==================================================== =========================================
name   compile                                              run
====== ==================================================== =========================================
python (compiled to bytecode in a per-completion fork server) a fork of that server per test
c      gcc -O2 -std=gnu11 ... -lm                            the binary
cpp    g++ -O2 -std=gnu++17 ...                              the binary
java   javac -encoding UTF-8 -d DIR Main.java                java -Xmx... -Xss64m -XX:+UseSerialGC ...
js     (none)                                                node --max-old-space-size=... --stack-size=...
rust   rustc -O --edition 2021 ...                           the binary
go     go build -o ... main.go (GOCACHE in the build dir)     the binary
====== ==================================================== =========================================
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MemoryLimit = Literal["address_space", "data"]


class Language(BaseModel):
    """One row of the table: a language's fence tags, files and commands."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tags: tuple[str, ...] = Field(min_length=1, description="fence tags (```cpp) that select it, lower case")
    source: str = Field(description="the source file's name; {main} is the Java class the code declares")
    compile: tuple[str, ...] | None = Field(None, description="the compile command, or None for an interpreted language")
    run: tuple[str, ...] = Field(("{binary}",), min_length=1, description="the run command (default: the compiled binary)")
    memory: MemoryLimit = "address_space"
    memory_overhead_mb: int = Field(0, ge=0, description="added to the memory limit's rlimit for a runtime's own use (the JVM's threads and metaspace); its heap flag holds the program to the limit")
    env: dict[str, str] = Field(default_factory=dict, description="environment variables of the compile and run commands")
    compile_seconds: float = Field(30.0, gt=0, description="wall-clock limit of the compile (CPU the same)")
    compile_memory_mb: int = Field(2048, gt=0)


# one GC thread, quick JIT, no perf file in /tmp; class and code spaces reserved small, so that the JVM fits the
# sandbox's address-space limit (2 GiB by default), which a call cannot raise for its programs
_JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto", "-XX:CompressedClassSpaceSize=64m", "-XX:ReservedCodeCacheSize=64m")

LANGUAGES: dict[str, Language] = {
    "python": Language(tags=("python", "py", "python3", "py3"), source="main.py", run=("{python}", "-s", "{source}")),
    "c": Language(tags=("c",), source="main.c", compile=("gcc", "-O2", "-std=gnu11", "-pipe", "-o", "{binary}", "{source}", "-lm")),
    "cpp": Language(
        tags=("cpp", "c++", "cc", "cxx", "c++17", "cpp17", "c++20", "cpp20"),
        source="main.cpp",
        compile=("g++", "-O2", "-std=gnu++17", "-pipe", "-o", "{binary}", "{source}"),
    ),
    "java": Language(
        tags=("java",),
        source="{main}.java",
        compile=("javac", "-J-Xmx512m", *(f"-J{flag}" for flag in _JVM), "-encoding", "UTF-8", "-d", "{dir}", "{source}"),
        run=("java", "-Xmx{memory_mb}m", "-Xss16m", *_JVM, "-cp", "{dir}", "{main}"),
        memory="data",
        memory_overhead_mb=1024,
    ),
    "javascript": Language(
        tags=("javascript", "js", "node", "nodejs"),
        source="main.js",
        run=("node", "--max-old-space-size={memory_mb}", "--stack-size=65500", "{source}"),
        memory="data",
        memory_overhead_mb=1024,
    ),
    "rust": Language(tags=("rust", "rs"), source="main.rs", compile=("rustc", "-O", "--edition", "2021", "-o", "{binary}", "{source}")),
    "go": Language(
        tags=("go", "golang"),
        source="main.go",
        compile=("go", "build", "-o", "{binary}", "{source}"),
        memory="data",
        memory_overhead_mb=256,
        env={"GOMEMLIMIT": "{memory_mb}MiB", "GOCACHE": "{dir}/.gocache", "GOPATH": "{dir}/.gopath", "CGO_ENABLED": "0", "GO111MODULE": "off", "GOTOOLCHAIN": "local"},
        compile_seconds=60.0,
    ),
}


class LanguageUnavailable(RuntimeError):
    """A language whose compiler or interpreter is not on this machine (a setup problem, not the model's)."""


_JAVA_CLASS = re.compile(r"^\s*public\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_]\w*)", re.MULTILINE)
_ANY_CLASS_WITH_MAIN = re.compile(r"class\s+([A-Za-z_]\w*)[^{]*\{(?:(?!\bclass\b).)*?static\s+void\s+main\s*\(", re.DOTALL)


def java_main_class(source: str) -> str:
    """The class ``java`` runs: the public class, else the class declaring ``main``, else ``Main``."""
    found = _JAVA_CLASS.search(source) or _ANY_CLASS_WITH_MAIN.search(source)
    return found.group(1) if found else "Main"


def language_of_tag(tag: str, table: dict[str, Language]) -> str | None:
    """The name of the language a fence tag selects (``c++`` -> ``cpp``), None for an unknown tag."""
    tag = tag.strip().lower()
    for name, language in table.items():
        if tag == name or tag in language.tags:
            return name
    return None


def find_program(name: str) -> str | None:
    """The executable a command names, resolved the way the sandbox can run it.

    rustup's proxies (``~/.cargo/bin/rustc``) live where the sandbox cannot read and pick a
    toolchain from the home directory; the compiler itself is found in ``RUSTUP_HOME``'s
    toolchains instead (the default toolchain's, else a stable one, else any)."""
    if os.path.isabs(name):
        return name if os.access(name, os.X_OK) else None
    found = shutil.which(name)
    if found is not None and os.path.basename(os.path.realpath(found)) != "rustup":
        return found
    home = os.environ.get("RUSTUP_HOME") or os.path.expanduser("~/.rustup")
    candidates = sorted(glob.glob(os.path.join(home, "toolchains", "*", "bin", name)), key=_toolchain_preference(home))
    return candidates[0] if candidates else None  # a rustup proxy with no toolchain to look through to


def _toolchain_preference(home: str):
    default = ""
    try:
        with open(os.path.join(home, "settings.toml"), encoding="utf-8") as settings:
            match = re.search(r'default_toolchain\s*=\s*"([^"]+)"', settings.read())
            default = match.group(1) if match else ""
    except OSError:
        pass

    def rank(path: str) -> tuple[int, str]:
        toolchain = os.path.basename(os.path.dirname(os.path.dirname(path)))
        return (0 if default and toolchain.startswith(default) else 1 if toolchain.startswith("stable") else 2, toolchain)

    return rank
