"""The code judge through the real sandbox, fresh and warm: every language, every verdict, and programs that attack.

Each attack must score 0 for the tests it attacks and touch nothing outside; nothing a program
starts may outlive its call.
"""

from __future__ import annotations

import json

import pytest
from rewardbox.graders import Status
from rewardbox.library.code.languages import LANGUAGES, find_program
from sandbox_helpers import descendants, processes_named, unique_tag, wait_for, zygote_pid

SUM = json.dumps({"inputs": ["1 2\n", "10 20\n", "7 0\n"], "outputs": ["3\n", "30\n", "7\n"]})
SQUARE = json.dumps({"fn_name": "square", "inputs": [[3], [5]], "outputs": [[9], [25]]})
PROGRAMS = {
    "python": "import sys\na, b = map(int, sys.stdin.buffer.read().split())\nprint(a + b)",
    "c": "#include <stdio.h>\nint main(void) { long a, b; scanf(\"%ld %ld\", &a, &b); printf(\"%ld\\n\", a + b); return 0; }",
    "cpp": "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }",
    "java": "import java.util.*;\npublic class Main { public static void main(String[] x) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }",
    "javascript": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);",
    "rust": "use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", v[0] + v[1]); }",
    "go": "package main\nimport \"fmt\"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }",
}
TAGS = {"python": "python", "c": "c", "cpp": "cpp", "java": "java", "javascript": "javascript", "rust": "rust", "go": "go"}


def fenced(language: str, code: str) -> str:
    return f"Here it is:\n```{TAGS[language]}\n{code}\n```"


def python(code: str) -> str:
    return fenced("python", code)


def _toolchain(language: str) -> str | None:
    row = LANGUAGES[language]
    command = (row.compile or row.run)[0]
    return None if command.startswith("{") else command


@pytest.fixture
def judge(make_grader):
    def make(**params):
        grader = make_grader("library:code", params={"time_limit": 1.0, "total_timeout": 25.0, **params}, timeout=30.0, workers=2)
        if not grader.processes.allowed:
            pytest.skip(f"calls may not start processes here: {grader.processes.detail}")
        return grader

    return make


@pytest.mark.parametrize("language", list(PROGRAMS))
def test_every_language_compiles_once_and_passes(judge, language):
    command = _toolchain(language)
    if command is not None and find_program(command) is None:
        pytest.skip(f"{language}: {command!r} is not installed on this machine")
    grader = judge()
    right, wrong = fenced(language, PROGRAMS[language]), fenced(language, PROGRAMS[language].replace("a + b", "a - b").replace("s.nextLong() + s.nextLong()", "s.nextLong() - s.nextLong()").replace("v[0] + v[1]", "v[0] - v[1]"))
    results = grader.grade_batch([(right, SUM), (wrong, SUM)])
    assert [(r.status, r.score) for r in results] == [(Status.ok, 1.0), (Status.ok, 1 / 3)], [r.stdout for r in results]
    assert "AC AC AC" in results[0].stdout and "WA WA AC" in results[1].stdout
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=5.0)


def test_a_compile_error_is_a_verdict_for_every_test(judge):
    if find_program("g++") is None:
        pytest.skip("cpp: 'g++' is not installed on this machine")
    result = judge().grade(fenced("cpp", "int main() { return undefined_name; }"), SUM)
    assert (result.status, result.score) == (Status.ok, 0.0)
    assert "CE CE CE" in result.stdout and "undefined_name" in result.stdout and result.components["compile_error"] == 3.0


def test_a_compiler_the_sandbox_cannot_run_is_an_exception_not_a_silent_zero(judge, tmp_path):
    """A compiler outside what the sandbox may read (rustup in a home the sandbox cannot see, a script in a private
    folder): its exec fails in the sandbox, and the result says the language is unavailable instead of scoring 0."""
    compiler = tmp_path / "private" / "mycc"
    compiler.parent.mkdir()
    compiler.write_text("#!/bin/sh\ncp \"$1\" \"$2\"\n")
    compiler.chmod(0o755)
    row = {"tags": ["mylang"], "source": "main.my", "compile": [str(compiler), "{source}", "{binary}"], "run": ["{binary}"]}
    result = judge(languages={"mylang": row}).grade("```mylang\n#!/bin/sh\necho 3\n```", SUM)
    assert result.status is Status.exception and result.score == 0.0
    assert "mylang: the compiler cannot run in the sandbox (cannot run " in result.error and "Permission denied" in result.error


@pytest.mark.parametrize(
    "source, verdict",
    [
        ("while True:\n    pass", "time_limit"),
        ("import time\ntime.sleep(30)", "time_limit"),
        ("x = bytearray(2 << 30)", "memory_limit"),
        ("import sys\nsys.stdout.write('x' * (100 << 20))", "output_limit"),
        ("raise ValueError('nope')", "runtime_error"),
        ("def f(n):\n    return f(n + 1)\nf(0)", "runtime_error"),  # RecursionError: a crash, whatever the limit
        ("import os\nos.abort()", "runtime_error"),
    ],
)
def test_limits_and_crashes_are_verdicts(judge, source, verdict):
    result = judge(memory_mb=256).grade(python(source), SUM)
    assert (result.status, result.score) == (Status.ok, 0.0)
    assert result.components[verdict] == 3.0, result.stdout


PROGRAM_ATTACKS = {
    "reads the expected output through gc": "import gc\nfor o in gc.get_objects():\n    if isinstance(o, dict) and 'outputs' in o:\n        print(o['outputs'][0])\n        break\nelse:\n    print(0)",
    "climbs frames to the harness": "import sys\nf = sys._getframe()\nwhile f.f_back:\n    f = f.f_back\nprint(f.f_locals.get('expected', 0))",
    "inspects the stack": "import inspect\nprint([fr.frame.f_locals.get('output') for fr in inspect.stack()][-1] or 0)",
    "prints All tests passed": "print('All tests passed')",
    "exits 0 before printing": "import sys\nsys.exit(0)\nprint(12345)",
    "patches builtins": "import builtins\nbuiltins.int = lambda *a: 12345\nprint(int('1'))",
    "reads test files from disk": "import os\nseen = []\nfor top in ('.', '..', '../..', '/tmp', os.environ.get('HOME', '.')):\n    try:\n        seen += [os.path.join(top, n) for n in os.listdir(top)]\n    except OSError:\n        pass\nprint(sum(1 for p in seen if 'answer' in p or 'output' in p))",
    "asks a shell": "import subprocess\nprint(subprocess.run(['sh', '-c', 'cat /etc/passwd | wc -l'], capture_output=True, text=True).stdout.strip() or 0)",
    "calls the network": "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n    print(12345)\nexcept OSError:\n    print(0)",
    "fork bomb": "import os, time\nwhile True:\n    try:\n        if os.fork() == 0:\n            time.sleep(30)\n            os._exit(0)\n    except OSError:\n        break",
    "100 MB of output": "import sys\nsys.stdout.write('3\\n' * (50 << 20))",
    "kills its parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint(12345)",
    "closes stdout": "import os\nos.close(1)\nprint(12345)",
    "a thread that outlives it": "import threading, time\ndef late():\n    time.sleep(30)\n    print(12345)\nthreading.Thread(target=late).start()",
}


def test_program_attacks_earn_nothing_and_leave_nothing(judge):
    grader = judge()
    results = grader.grade_batch([(python(source), SUM) for source in PROGRAM_ATTACKS.values()])
    for name, result in zip(PROGRAM_ATTACKS, results):
        assert (result.status, result.score) == (Status.ok, 0.0), (name, result.stdout, result.error)
    assert grader.grade(python("print(sum(map(int, input().split())))"), SUM).score == 1.0, "the judge still works"
    assert wait_for(lambda: not descendants(zygote_pid(grader)), timeout=10.0), "a program's process outlived its call"


def test_call_attacks_earn_nothing(judge):
    attacks = [
        "class A:\n    def __eq__(self, other):\n        return True\ndef square(x):\n    return A()",
        "import sys\ndef square(x):\n    f = sys._getframe()\n    while f.f_back:\n        f = f.f_back\n    return f.f_locals.get('expected')",
        "import os\ndef square(x):\n    os.write(4, b'{\"value\": 9}\\n')\n    os._exit(0)",  # forges one answer: it would have to know the right one
        "def square(x):\n    raise SystemExit(0)",
    ]
    results = judge().grade_batch([(python(source), SQUARE) for source in attacks])
    assert [(r.status, r.score) for r in results] == [(Status.ok, 0.0), (Status.ok, 0.0), (Status.ok, 0.5), (Status.ok, 0.0)], [r.stdout for r in results]


def test_a_compiled_daemon_and_fork_bomb_die_with_their_test(judge):
    if find_program("gcc") is None:
        pytest.skip("c: 'gcc' is not installed on this machine")
    tag = unique_tag()
    daemon = (
        "#include <stdio.h>\n#include <unistd.h>\n#include <sys/prctl.h>\n"
        f"int main(void) {{ for (int i = 0; i < 1000; i++) {{ pid_t p = fork(); if (p == 0) {{ setsid(); prctl(PR_SET_NAME, \"{tag}\"); sleep(60); return 0; }} if (p < 0) break; }}"
        " long a, b; scanf(\"%ld %ld\", &a, &b); printf(\"%ld\\n\", a + b); return 0; }"
    )
    grader = judge()
    result = grader.grade(fenced("c", daemon), SUM)
    assert result.status is Status.ok and result.score == 1.0, result.stdout  # its answers are right; its children are not its answers
    assert wait_for(lambda: not processes_named(tag), timeout=10.0), f"{len(processes_named(tag))} daemons outlived their test"


def test_a_special_judge_accepts_any_right_answer(judge):
    checker = (
        "import sys\nn = int(open(sys.argv[1]).read())\nout = open(sys.argv[2]).read().split()\n"
        "ok = len(out) == 2 and int(out[0]) + int(out[1]) == n and min(map(int, out)) >= 0\nsys.exit(0 if ok else 1)"
    )
    gold = json.dumps({"inputs": ["5\n", "8\n"], "outputs": ["2 3\n", "4 4\n"], "checker": checker})
    results = judge().grade_batch([(python("n = int(input())\nprint(0, n)"), gold), (python("n = int(input())\nprint(1, 1)"), gold)])
    assert [(r.status, r.score) for r in results] == [(Status.ok, 1.0), (Status.ok, 0.0)], [r.stdout for r in results]
    assert "the checker rejected the output" in results[1].stdout
