"""The code judge: model-written programs in seven languages, run apart from the judge, against tests as datasets store them.

============== =================================================================================
module         what it does
============== =================================================================================
judge.py       ``code_tests``, the reward: reads the suite, builds the program, one verdict a test
formats.py     test suites as APPS/TACO, LiveCodeBench, CodeContests, prime_code, open-r1,
               DeepCoder, HumanEval, MBPP, KodCode and AceCoder store them
languages.py   the language table: fence tags, compile and run commands, which memory limit
programs.py    compiling once and running each test in a confined process of its own
pyharness.py   the Python fork server the program lives in (no import of rewardbox)
remote.py      test code (asserts, ``check``, pytest functions) run by the judge against the program
compare.py     the comparators: tokens with float tolerance, lines, exact
============== =================================================================================
"""

from __future__ import annotations

from .judge import code_tests, extract_code

__all__ = ["code_tests", "extract_code"]
