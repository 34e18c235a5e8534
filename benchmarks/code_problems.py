"""48 small programming problems of our own, stored the ways code datasets store them, for the code judge's benchmarks.

Each problem has a correct Python solution, a correct C++ solution when it reads stdin, and 5-10 tests; the
expected outputs are made here, at import, by running the Python solution on the inputs (seeded, deterministic;
no network, no download). The formats, as ``library/code/formats.py`` reads them:

=============== ===== =====================================================================================
format          count how stored
=============== ===== =====================================================================================
apps            10+5  ``{"inputs": [...], "outputs": [...]}``; call-based with ``fn_name``, inputs the argument
                      lists, outputs wrapped in one-element lists
livecodebench   6+6   a row: ``public_test_cases`` (JSON), ``private_test_cases`` (base64(zlib(pickle(JSON)))),
                      ``metadata`` (JSON, ``func_name`` for functional ones: inputs JSON lines, outputs JSON)
code_contests   6     ``public_tests`` / ``private_tests`` / ``generated_tests``: ``{"input": [...], "output": [...]}``
openr1          5+1   ``{"verification_info": {"language", "test_cases": [{"input", "output", "type"...}]}}``
humaneval       3     ``{"prompt", "test" (def check(candidate) with 5-10 asserts), "entry_point"}``
mbpp            3     ``{"test_list": ["assert ...", ...], "test_setup_code", "test_imports"}``
kodcode         3     ``{"test": "from solution import f\\n\\ndef test_...", "test_info": [{"function_name"}]}``
=============== ===== =====================================================================================

``PROBLEMS``: dicts with ``name``, ``format``, ``kind`` (stdin, call or script), ``ground_truth`` (JSON-able, as the
dataset stores it), ``python``, ``cpp`` (or None), ``tests`` (how many). ``completion(problem, language)``: the
solution as a model writes it (a fenced block). ``lcb_sample(problem)``: the ``{"input_output": ...}`` sample
LiveCodeBench's own judge (``run_test``) takes, for the stdin and functional problems (None for the others).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import pickle
import random
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Spec:
    """A problem before storage: solutions, test inputs (stdin text, or argument lists) and where it is stored."""

    name: str
    format: str
    python: str
    tests: Callable[[random.Random], list]
    cpp: str | None = None
    fn: str | None = None  # a function problem (call or script tests)
    kind: str = "stdin"
    prompt: str = ""  # HumanEval: the signature and docstring
    extra: dict = field(default_factory=dict)


def _run_stdio(code: Any, text: str) -> str:
    """What the Python solution prints on ``text`` (run here, as a script would run)."""
    out = io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")
    saved = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = stdin, out
    try:
        with contextlib.suppress(SystemExit):
            exec(code, {"__name__": "__main__"})  # noqa: S102 - our own reference solution
    finally:
        sys.stdin, sys.stdout = saved
    return out.getvalue()


def function_of(source: str, name: str) -> Callable:
    """``name`` from a solution's source: a top-level function, or a method of ``Solution`` (LeetCode style)."""
    namespace: dict = {"__name__": "solution"}
    exec(source, namespace)  # noqa: S102 - our own reference solution
    if name in namespace:
        return namespace[name]
    return getattr(namespace["Solution"](), name)


def _lines(*rows: object) -> str:
    return "".join(f"{row}\n" for row in rows)


def _ints(values) -> str:
    return " ".join(map(str, values))


# ---- stdin/stdout problems -------------------------------------------------------------------------------

SUM_PAIRS_PY = """import sys
data = sys.stdin.read().split()
t = int(data[0])
print("\\n".join(str(int(data[1 + 2 * i]) + int(data[2 + 2 * i])) for i in range(t)))
"""
SUM_PAIRS_CPP = """#include <cstdio>
int main() {
    int t; scanf("%d", &t);
    while (t--) { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", a + b); }
}
"""

ARRAY_SUM_PY = """n = int(input())
a = list(map(int, input().split()))
print(sum(a[:n]))
"""
ARRAY_SUM_CPP = """#include <iostream>
int main() {
    int n; std::cin >> n; long long s = 0;
    for (int i = 0; i < n; i++) { long long x; std::cin >> x; s += x; }
    std::cout << s << "\\n";
}
"""

SORT_PY = """n = int(input())
a = sorted(map(int, input().split()))
print(*a)
"""
SORT_CPP = """#include <bits/stdc++.h>
int main() {
    int n; scanf("%d", &n); std::vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    std::sort(a.begin(), a.end());
    for (int i = 0; i < n; i++) printf("%lld%c", a[i], i + 1 < n ? ' ' : '\\n');
}
"""

PRIMES_PY = """import sys
qs = list(map(int, sys.stdin.read().split()))[1:]
top = max(qs + [2])
sieve = bytearray([1]) * (top + 1)
sieve[0] = sieve[1] = 0
for i in range(2, int(top ** 0.5) + 1):
    if sieve[i]:
        sieve[i * i :: i] = bytearray(len(range(i * i, top + 1, i)))
count = [0] * (top + 1)
for i in range(1, top + 1):
    count[i] = count[i - 1] + sieve[i]
print("\\n".join(str(count[n]) for n in qs))
"""
PRIMES_CPP = """#include <bits/stdc++.h>
int main() {
    int q; scanf("%d", &q); std::vector<int> qs(q); int top = 2;
    for (auto &x : qs) { scanf("%d", &x); top = std::max(top, x); }
    std::vector<int> cnt(top + 1, 0); std::vector<char> comp(top + 1, 0);
    for (int i = 2; i <= top; i++) { cnt[i] = cnt[i - 1] + !comp[i]; if (!comp[i]) for (long long j = 1LL * i * i; j <= top; j += i) comp[j] = 1; }
    for (int x : qs) printf("%d\\n", x >= 1 ? cnt[x] : 0);
}
"""

GCD_LCM_PY = """from math import gcd
t = int(input())
for _ in range(t):
    a, b = map(int, input().split())
    g = gcd(a, b)
    print(g, a // g * b)
"""
GCD_LCM_CPP = """#include <bits/stdc++.h>
int main() {
    int t; std::cin >> t;
    while (t--) { long long a, b; std::cin >> a >> b; long long g = std::__gcd(a, b); std::cout << g << ' ' << a / g * b << '\\n'; }
}
"""

REVERSE_PY = """t = int(input())
for _ in range(t):
    print(input().strip()[::-1])
"""
REVERSE_CPP = """#include <bits/stdc++.h>
int main() {
    int t; std::cin >> t; std::string s;
    while (t--) { std::cin >> s; std::reverse(s.begin(), s.end()); std::cout << s << '\\n'; }
}
"""

KADANE_PY = """n = int(input())
a = list(map(int, input().split()))
best = cur = a[0]
for x in a[1:]:
    cur = max(x, cur + x)
    best = max(best, cur)
print(best)
"""
KADANE_CPP = """#include <bits/stdc++.h>
int main() {
    int n; scanf("%d", &n); long long best = LLONG_MIN, cur = 0;
    for (int i = 0; i < n; i++) { long long x; scanf("%lld", &x); cur = i == 0 ? x : std::max(x, cur + x); best = std::max(best, cur); }
    printf("%lld\\n", best);
}
"""

GRID_PY = """from collections import deque
r, c = map(int, input().split())
grid = [input().strip() for _ in range(r)]
start = next((i, j) for i in range(r) for j in range(c) if grid[i][j] == "S")
dist = [[-1] * c for _ in range(r)]
dist[start[0]][start[1]] = 0
queue = deque([start])
answer = -1
while queue:
    i, j = queue.popleft()
    if grid[i][j] == "T":
        answer = dist[i][j]
        break
    for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        y, x = i + di, j + dj
        if 0 <= y < r and 0 <= x < c and grid[y][x] != "#" and dist[y][x] < 0:
            dist[y][x] = dist[i][j] + 1
            queue.append((y, x))
print(answer)
"""
GRID_CPP = """#include <bits/stdc++.h>
int main() {
    int r, c; std::cin >> r >> c; std::vector<std::string> g(r);
    for (auto &row : g) std::cin >> row;
    std::vector<std::vector<int>> d(r, std::vector<int>(c, -1)); std::queue<std::pair<int,int>> q;
    for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) if (g[i][j] == 'S') { d[i][j] = 0; q.push({i, j}); }
    int di[] = {1, -1, 0, 0}, dj[] = {0, 0, 1, -1}, ans = -1;
    while (!q.empty()) {
        auto [i, j] = q.front(); q.pop();
        if (g[i][j] == 'T') { ans = d[i][j]; break; }
        for (int k = 0; k < 4; k++) { int y = i + di[k], x = j + dj[k];
            if (y >= 0 && y < r && x >= 0 && x < c && g[y][x] != '#' && d[y][x] < 0) { d[y][x] = d[i][j] + 1; q.push({y, x}); } }
    }
    printf("%d\\n", ans);
}
"""

COINS_PY = """MOD = 10**9 + 7
n, target = map(int, input().split())
coins = list(map(int, input().split()))
ways = [1] + [0] * target
for coin in coins:
    for v in range(coin, target + 1):
        ways[v] = (ways[v] + ways[v - coin]) % MOD
print(ways[target])
"""
COINS_CPP = """#include <bits/stdc++.h>
int main() {
    const long long MOD = 1000000007; int n, t; scanf("%d %d", &n, &t); std::vector<long long> w(t + 1, 0); w[0] = 1;
    for (int i = 0; i < n; i++) { int c; scanf("%d", &c); for (int v = c; v <= t; v++) w[v] = (w[v] + w[v - c]) % MOD; }
    printf("%lld\\n", w[t]);
}
"""

BRACKETS_PY = """t = int(input())
pairs = {")": "(", "]": "[", "}": "{"}
for _ in range(t):
    stack = []
    ok = True
    for ch in input().strip():
        if ch in "([{":
            stack.append(ch)
        elif not stack or stack.pop() != pairs[ch]:
            ok = False
            break
    print("YES" if ok and not stack else "NO")
"""
BRACKETS_CPP = """#include <bits/stdc++.h>
int main() {
    int t; std::cin >> t; std::string s;
    while (t--) { std::cin >> s; std::string st; bool ok = true;
        for (char ch : s) { if (ch == '(' || ch == '[' || ch == '{') st.push_back(ch);
            else { char want = ch == ')' ? '(' : ch == ']' ? '[' : '{'; if (st.empty() || st.back() != want) { ok = false; break; } st.pop_back(); } }
        puts(ok && st.empty() ? "YES" : "NO"); }
}
"""

LIS_PY = """from bisect import bisect_left
n = int(input())
tails = []
for x in map(int, input().split()):
    i = bisect_left(tails, x)
    if i == len(tails):
        tails.append(x)
    else:
        tails[i] = x
print(len(tails))
"""
LIS_CPP = """#include <bits/stdc++.h>
int main() {
    int n; scanf("%d", &n); std::vector<long long> t;
    for (int i = 0; i < n; i++) { long long x; scanf("%lld", &x); auto it = std::lower_bound(t.begin(), t.end(), x); if (it == t.end()) t.push_back(x); else *it = x; }
    printf("%zu\\n", t.size());
}
"""

KNAPSACK_PY = """n, cap = map(int, input().split())
best = [0] * (cap + 1)
for _ in range(n):
    w, v = map(int, input().split())
    for c in range(cap, w - 1, -1):
        best[c] = max(best[c], best[c - w] + v)
print(best[cap])
"""
KNAPSACK_CPP = """#include <bits/stdc++.h>
int main() {
    int n, cap; scanf("%d %d", &n, &cap); std::vector<long long> b(cap + 1, 0);
    for (int i = 0; i < n; i++) { int w; long long v; scanf("%d %lld", &w, &v); for (int c = cap; c >= w; c--) b[c] = std::max(b[c], b[c - w] + v); }
    printf("%lld\\n", b[cap]);
}
"""

COUNT_LE_PY = """import sys
from bisect import bisect_right
data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
a = sorted(map(int, data[2 : 2 + n]))
print("\\n".join(str(bisect_right(a, int(x))) for x in data[2 + n : 2 + n + q]))
"""
COUNT_LE_CPP = """#include <bits/stdc++.h>
int main() {
    int n, q; scanf("%d %d", &n, &q); std::vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    std::sort(a.begin(), a.end());
    while (q--) { long long x; scanf("%lld", &x); printf("%ld\\n", (long)(std::upper_bound(a.begin(), a.end(), x) - a.begin())); }
}
"""

PALINDROME_PY = """s = input().strip()
best = 0
for center in range(2 * len(s) - 1):
    lo, hi = center // 2, center // 2 + center % 2
    while lo >= 0 and hi < len(s) and s[lo] == s[hi]:
        lo -= 1
        hi += 1
    best = max(best, hi - lo - 1)
print(best)
"""
PALINDROME_CPP = """#include <bits/stdc++.h>
int main() {
    std::string s; std::cin >> s; int n = s.size(), best = 0;
    for (int c = 0; c < 2 * n - 1; c++) { int lo = c / 2, hi = c / 2 + c % 2;
        while (lo >= 0 && hi < n && s[lo] == s[hi]) { lo--; hi++; } best = std::max(best, hi - lo - 1); }
    printf("%d\\n", best);
}
"""

COMPONENTS_PY = """import sys
data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
parent = list(range(n + 1))
def find(x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
components = n
for i in range(m):
    a, b = find(int(data[2 + 2 * i])), find(int(data[3 + 2 * i]))
    if a != b:
        parent[a] = b
        components -= 1
print(components)
"""
COMPONENTS_CPP = """#include <bits/stdc++.h>
std::vector<int> p;
int find(int x) { while (p[x] != x) { p[x] = p[p[x]]; x = p[x]; } return x; }
int main() {
    int n, m; scanf("%d %d", &n, &m); p.resize(n + 1); std::iota(p.begin(), p.end(), 0); int comp = n;
    while (m--) { int a, b; scanf("%d %d", &a, &b); a = find(a); b = find(b); if (a != b) { p[a] = b; comp--; } }
    printf("%d\\n", comp);
}
"""

MEAN_STD_PY = """n = int(input())
xs = [float(x) for x in input().split()]
mean = sum(xs) / n
std = (sum((x - mean) ** 2 for x in xs) / n) ** 0.5
print(f"{mean:.6f} {std:.6f}")
"""
MEAN_STD_CPP = """#include <bits/stdc++.h>
int main() {
    int n; scanf("%d", &n); std::vector<double> x(n); double s = 0;
    for (auto &v : x) { scanf("%lf", &v); s += v; }
    double mean = s / n, q = 0;
    for (double v : x) q += (v - mean) * (v - mean);
    printf("%.6f %.6f\\n", mean, std::sqrt(q / n));
}
"""

RANGE_SUMS_PY = """import sys
data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
prefix = [0]
for x in data[2 : 2 + n]:
    prefix.append(prefix[-1] + int(x))
out = []
for i in range(q):
    l, r = int(data[2 + n + 2 * i]), int(data[3 + n + 2 * i])
    out.append(prefix[r] - prefix[l - 1])
sys.stdout.write("\\n".join(map(str, out)) + "\\n")
"""
RANGE_SUMS_CPP = """#include <bits/stdc++.h>
int main() {
    int n, q; scanf("%d %d", &n, &q); std::vector<long long> p(n + 1, 0);
    for (int i = 1; i <= n; i++) { long long x; scanf("%lld", &x); p[i] = p[i - 1] + x; }
    while (q--) { int l, r; scanf("%d %d", &l, &r); printf("%lld\\n", p[r] - p[l - 1]); }
}
"""

DIJKSTRA_PY = """import heapq
import sys
data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
graph = [[] for _ in range(n + 1)]
for i in range(m):
    u, v, w = int(data[2 + 3 * i]), int(data[3 + 3 * i]), int(data[4 + 3 * i])
    graph[u].append((v, w))
    graph[v].append((u, w))
dist = [-1] * (n + 1)
heap = [(0, 1)]
while heap:
    d, u = heapq.heappop(heap)
    if dist[u] >= 0:
        continue
    dist[u] = d
    for v, w in graph[u]:
        if dist[v] < 0:
            heapq.heappush(heap, (d + w, v))
print(*dist[1:])
"""
DIJKSTRA_CPP = """#include <bits/stdc++.h>
int main() {
    int n, m; scanf("%d %d", &n, &m); std::vector<std::vector<std::pair<int,long long>>> g(n + 1);
    for (int i = 0; i < m; i++) { int u, v; long long w; scanf("%d %d %lld", &u, &v, &w); g[u].push_back({v, w}); g[v].push_back({u, w}); }
    std::vector<long long> d(n + 1, -1); std::priority_queue<std::pair<long long,int>, std::vector<std::pair<long long,int>>, std::greater<>> pq; pq.push({0, 1});
    while (!pq.empty()) { auto [dd, u] = pq.top(); pq.pop(); if (d[u] >= 0) continue; d[u] = dd; for (auto [v, w] : g[u]) if (d[v] < 0) pq.push({dd + w, v}); }
    for (int i = 1; i <= n; i++) printf("%lld%c", d[i], i < n ? ' ' : '\\n');
}
"""

MATMUL_PY = """import sys
data = list(map(int, sys.stdin.read().split()))
n, m, p = data[0], data[1], data[2]
a = [data[3 + i * m : 3 + (i + 1) * m] for i in range(n)]
base = 3 + n * m
b = [data[base + i * p : base + (i + 1) * p] for i in range(m)]
for i in range(n):
    print(*(sum(a[i][k] * b[k][j] for k in range(m)) for j in range(p)))
"""
MATMUL_CPP = """#include <bits/stdc++.h>
int main() {
    int n, m, p; scanf("%d %d %d", &n, &m, &p);
    std::vector<std::vector<long long>> a(n, std::vector<long long>(m)), b(m, std::vector<long long>(p));
    for (auto &r : a) for (auto &x : r) scanf("%lld", &x);
    for (auto &r : b) for (auto &x : r) scanf("%lld", &x);
    for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) { long long s = 0; for (int k = 0; k < m; k++) s += a[i][k] * b[k][j]; printf("%lld%c", s, j + 1 < p ? ' ' : '\\n'); }
}
"""

ANAGRAM_PY = """t = int(input())
for _ in range(t):
    a, b = input().split()
    print("YES" if sorted(a) == sorted(b) else "NO")
"""
ANAGRAM_CPP = """#include <bits/stdc++.h>
int main() {
    int t; std::cin >> t; std::string a, b;
    while (t--) { std::cin >> a >> b; std::sort(a.begin(), a.end()); std::sort(b.begin(), b.end()); std::cout << (a == b ? "YES" : "NO") << '\\n'; }
}
"""

FACTORIZE_PY = """t = int(input())
for _ in range(t):
    n = int(input())
    factors = []
    d = 2
    while d * d <= n:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    if n > 1:
        factors.append(n)
    print(*factors)
"""
FACTORIZE_CPP = """#include <bits/stdc++.h>
int main() {
    int t; scanf("%d", &t);
    while (t--) { long long n; scanf("%lld", &n); std::vector<long long> f;
        for (long long d = 2; d * d <= n; d++) while (n % d == 0) { f.push_back(d); n /= d; }
        if (n > 1) f.push_back(n);
        for (size_t i = 0; i < f.size(); i++) printf("%lld%c", f[i], i + 1 < f.size() ? ' ' : '\\n'); }
}
"""

INVERSIONS_PY = """def count(a):
    if len(a) <= 1:
        return a, 0
    left, x = count(a[: len(a) // 2])
    right, y = count(a[len(a) // 2 :])
    merged, inv, i, j = [], x + y, 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            inv += len(left) - i
            j += 1
    return merged + left[i:] + right[j:], inv
n = int(input())
print(count(list(map(int, input().split())))[1])
"""
INVERSIONS_CPP = """#include <bits/stdc++.h>
long long go(std::vector<long long> &a, int lo, int hi, std::vector<long long> &tmp) {
    if (hi - lo <= 1) return 0; int mid = (lo + hi) / 2; long long inv = go(a, lo, mid, tmp) + go(a, mid, hi, tmp);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) { if (a[i] <= a[j]) tmp[k++] = a[i++]; else { inv += mid - i; tmp[k++] = a[j++]; } }
    while (i < mid) tmp[k++] = a[i++]; while (j < hi) tmp[k++] = a[j++];
    for (int t = lo; t < hi; t++) a[t] = tmp[t]; return inv;
}
int main() { int n; scanf("%d", &n); std::vector<long long> a(n), tmp(n); for (auto &x : a) scanf("%lld", &x); printf("%lld\\n", go(a, 0, n, tmp)); }
"""

DIGIT_SUM_PY = """t = int(input())
for _ in range(t):
    print(sum(int(ch) for ch in input().strip()))
"""
DIGIT_SUM_CPP = """#include <bits/stdc++.h>
int main() { int t; std::cin >> t; std::string s; while (t--) { std::cin >> s; int sum = 0; for (char ch : s) sum += ch - '0'; std::cout << sum << '\\n'; } }
"""

LEAP_PY = """def leaps(y):
    return y // 4 - y // 100 + y // 400
t = int(input())
for _ in range(t):
    a, b = map(int, input().split())
    print(leaps(b) - leaps(a - 1))
"""
LEAP_CPP = """#include <cstdio>
long long leaps(long long y) { return y / 4 - y / 100 + y / 400; }
int main() { int t; scanf("%d", &t); while (t--) { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", leaps(b) - leaps(a - 1)); } }
"""

COLLATZ_PY = """t = int(input())
for _ in range(t):
    n, steps = int(input()), 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    print(steps)
"""
COLLATZ_CPP = """#include <cstdio>
int main() { int t; scanf("%d", &t); while (t--) { long long n; int s = 0; scanf("%lld", &n); while (n != 1) { n = n % 2 == 0 ? n / 2 : 3 * n + 1; s++; } printf("%d\\n", s); } }
"""

TRANSPOSE_PY = """r, c = map(int, input().split())
rows = [input().split() for _ in range(r)]
for j in range(c):
    print(" ".join(rows[i][j] for i in range(r)))
"""
TRANSPOSE_CPP = """#include <bits/stdc++.h>
int main() {
    int r, c; scanf("%d %d", &r, &c); std::vector<std::vector<long long>> a(r, std::vector<long long>(c));
    for (auto &row : a) for (auto &x : row) scanf("%lld", &x);
    for (int j = 0; j < c; j++) for (int i = 0; i < r; i++) printf("%lld%c", a[i][j], i + 1 < r ? ' ' : '\\n');
}
"""

STAIRS_PY = """MOD = 10**9 + 7
t = int(input())
for _ in range(t):
    n = int(input())
    ways = [1, 1, 2]
    for i in range(3, n + 1):
        ways.append((ways[-1] + ways[-2] + ways[-3]) % MOD)
    print(ways[n])
"""
STAIRS_CPP = """#include <bits/stdc++.h>
int main() { const long long M = 1000000007; int t; scanf("%d", &t);
    while (t--) { int n; scanf("%d", &n); std::vector<long long> w = {1, 1, 2}; for (int i = 3; i <= n; i++) w.push_back((w[i - 1] + w[i - 2] + w[i - 3]) % M); printf("%lld\\n", w[n]); } }
"""


# ---- function problems -----------------------------------------------------------------------------------

TWO_SUM_PY = """def two_sum(nums, target):
    seen = {}
    for j, x in enumerate(nums):
        if target - x in seen:
            return [seen[target - x], j]
        seen.setdefault(x, j)
    return []
"""
ROTATE_PY = """def rotate_matrix(matrix):
    return [list(row) for row in zip(*matrix[::-1])]
"""
VOWELS_PY = """def count_vowels(s):
    return sum(ch in "aeiouAEIOU" for ch in s)
"""
MERGE_PY = """def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
"""
FIB_PY = """def fib_mod(n, m):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % m
    return a % m
"""
PROFIT_PY = """from typing import List

class Solution:
    def maxProfit(self, prices: List[int]) -> int:
        best, low = 0, float("inf")
        for p in prices:
            low = min(low, p)
            best = max(best, p - low)
        return best
"""
PREFIX_PY = """from typing import List

class Solution:
    def longestCommonPrefix(self, strs: List[str]) -> str:
        prefix = strs[0]
        for s in strs[1:]:
            while not s.startswith(prefix):
                prefix = prefix[:-1]
        return prefix
"""
ISLANDS_PY = """from typing import List

class Solution:
    def numIslands(self, grid: List[List[str]]) -> int:
        rows, cols, seen, count = len(grid), len(grid[0]), set(), 0
        for i in range(rows):
            for j in range(cols):
                if grid[i][j] == "1" and (i, j) not in seen:
                    count += 1
                    stack = [(i, j)]
                    seen.add((i, j))
                    while stack:
                        y, x = stack.pop()
                        for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                            if 0 <= ny < rows and 0 <= nx < cols and grid[ny][nx] == "1" and (ny, nx) not in seen:
                                seen.add((ny, nx))
                                stack.append((ny, nx))
        return count
"""
EDIT_PY = """class Solution:
    def minDistance(self, word1: str, word2: str) -> int:
        prev = list(range(len(word2) + 1))
        for i, a in enumerate(word1, 1):
            cur = [i]
            for j, b in enumerate(word2, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
            prev = cur
        return prev[-1]
"""
INSERT_PY = """from typing import List

class Solution:
    def searchInsert(self, nums: List[int], target: int) -> int:
        lo, hi = 0, len(nums)
        while lo < hi:
            mid = (lo + hi) // 2
            if nums[mid] < target:
                lo = mid + 1
            else:
                hi = mid
        return lo
"""
PRODUCT_PY = """from typing import List

class Solution:
    def productExceptSelf(self, nums: List[int]) -> List[int]:
        out = [1] * len(nums)
        left = 1
        for i, x in enumerate(nums):
            out[i] = left
            left *= x
        right = 1
        for i in range(len(nums) - 1, -1, -1):
            out[i] *= right
            right *= nums[i]
        return out
"""
CAESAR_PY = """def caesar(s, k):
    return "".join(chr((ord(ch) - 97 + k) % 26 + 97) if "a" <= ch <= "z" else ch for ch in s)
"""
CLOSE_PY = """def has_close_elements(numbers, threshold):
    ordered = sorted(numbers)
    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))
"""
CLOSE_PROMPT = '''from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """ Check if in given list of numbers, are any two numbers closer to each other than
    given threshold.
    """
'''
BELOW_PY = """def below_zero(operations):
    balance = 0
    for op in operations:
        balance += op
        if balance < 0:
            return True
    return False
"""
BELOW_PROMPT = '''from typing import List


def below_zero(operations: List[int]) -> bool:
    """ Given deposit and withdrawal operations on an account that starts at zero, tell whether the balance
    ever falls below zero.
    """
'''
RUNNING_PY = """def running_max(numbers):
    out = []
    for x in numbers:
        out.append(x if not out else max(out[-1], x))
    return out
"""
RUNNING_PROMPT = '''from typing import List


def running_max(numbers: List[int]) -> List[int]:
    """ The list of the largest element seen until each position.
    """
'''
SQUARE_PY = """from math import isqrt

def is_perfect_square(n):
    return n >= 0 and isqrt(n) ** 2 == n
"""
LCS_PY = """def lcs_length(a, b):
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]
"""
SECOND_PY = """def second_smallest(nums):
    distinct = sorted(set(nums))
    return distinct[1] if len(distinct) > 1 else None
"""
FLATTEN_PY = """def flatten(nested):
    out = []
    for item in nested:
        if isinstance(item, list):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out
"""
RLE_PY = """def rle_encode(s):
    out = []
    i = 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(f"{j - i}{s[i]}")
        i = j
    return "".join(out)
"""
KTH_PY = """import heapq

def kth_largest(nums, k):
    return heapq.nlargest(k, nums)[-1]
"""


# ---- test inputs (seeded) ------------------------------------------------------------------------------


def _counted(rng: random.Random, count: int, line: Callable[[], str]) -> str:
    return _lines(count, *(line() for _ in range(count)))


def _array_input(rng: random.Random, n: int, lo: int, hi: int) -> str:
    return _lines(n, _ints(rng.randint(lo, hi) for _ in range(n)))


def _grid(rng: random.Random) -> str:
    r, c = rng.randint(3, 30), rng.randint(3, 30)
    cells = [["#" if rng.random() < 0.28 else "." for _ in range(c)] for _ in range(r)]
    (si, sj), (ti, tj) = rng.sample([(i, j) for i in range(r) for j in range(c)], 2)
    cells[si][sj], cells[ti][tj] = "S", "T"
    return _lines(f"{r} {c}", *("".join(row) for row in cells))


def _brackets(rng: random.Random) -> str:
    if rng.random() < 0.5:  # balanced by construction
        out, stack = [], []
        for _ in range(rng.randint(1, 30)):
            if stack and rng.random() < 0.45:
                out.append({"(": ")", "[": "]", "{": "}"}[stack.pop()])
            else:
                stack.append(rng.choice("([{"))
                out.append(stack[-1])
        return "".join(out) + "".join({"(": ")", "[": "]", "{": "}"}[ch] for ch in reversed(stack))
    return "".join(rng.choice("()[]{}") for _ in range(rng.randint(1, 30)))


def _graph(rng: random.Random, weighted: bool) -> str:
    n = rng.randint(2, 300)
    m = rng.randint(0, 2 * n)
    edges = [(rng.randint(1, n), rng.randint(1, n)) + ((rng.randint(1, 1000),) if weighted else ()) for _ in range(m)]
    return _lines(f"{n} {m}", *(_ints(edge) for edge in edges))


def _two_sum_case(rng: random.Random) -> list:
    while True:
        nums = [rng.randint(-50, 50) for _ in range(rng.randint(2, 40))]
        i, j = sorted(rng.sample(range(len(nums)), 2))
        target = nums[i] + nums[j]
        pairs = [(a, b) for a in range(len(nums)) for b in range(a + 1, len(nums)) if nums[a] + nums[b] == target]
        if pairs == [(i, j)]:
            return [nums, target]


def _word(rng: random.Random, lo: int, hi: int, letters: str = "abcde") -> str:
    return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi)))


def _nested(rng: random.Random, depth: int = 0) -> list:
    return [_nested(rng, depth + 1) if depth < 3 and rng.random() < 0.3 else rng.randint(0, 99) for _ in range(rng.randint(0, 5))]


def _repeat(count: int, make: Callable[[], object]) -> list:
    return [make() for _ in range(count)]


# One function per problem that needs more than a line: the test inputs, from a seeded generator.


def _knapsack(r: random.Random) -> str:
    n, cap = r.randint(1, 60), r.randint(1, 1000)
    return _lines(f"{n} {cap}", *(f"{r.randint(1, 100)} {r.randint(1, 10**6)}" for _ in range(n)))


def _count_at_most(r: random.Random) -> str:
    n, q = r.randint(1, 2000), r.randint(1, 500)
    return _lines(f"{n} {q}", _ints(r.randint(-10**9, 10**9) for _ in range(n)), *(r.randint(-10**9, 10**9) for _ in range(q)))


def _range_sums(r: random.Random) -> str:
    n, q = r.randint(1, 3000), r.randint(1, 1000)
    queries = (_ints(sorted((r.randint(1, n), r.randint(1, n)))) for _ in range(q))
    return _lines(f"{n} {q}", _ints(r.randint(-10**9, 10**9) for _ in range(n)), *queries)


def _matrices(r: random.Random) -> str:
    n, m, p = r.randint(1, 20), r.randint(1, 20), r.randint(1, 20)
    def rows(count: int, width: int) -> list[str]:
        return [_ints(r.randint(-100, 100) for _ in range(width)) for _ in range(count)]

    return _lines(f"{n} {m} {p}", *rows(n, m), *rows(m, p))


def _coins(r: random.Random) -> str:
    n = r.randint(1, 12)
    return _lines(f"{n} {r.randint(1, 5000)}", _ints(r.sample(range(1, 60), n)))


def _anagram_pair(r: random.Random) -> str:
    word = _word(r, 1, 12, "abcd")
    other = "".join(r.sample(word, len(word))) if r.random() < 0.5 else _word(r, len(word), len(word), "abcd")
    return f"{word} {other}"


def _year_range(r: random.Random) -> str:
    start = r.randint(1, 10**9)
    return f"{start} {r.randint(start, 10**9)}"


def _table(r: random.Random) -> str:
    rows, cols = r.randint(1, 30), r.randint(1, 30)
    return _lines(f"{rows} {cols}", *(_ints(r.randint(-99, 99) for _ in range(cols)) for _ in range(rows)))


def _floats(r: random.Random) -> str:
    n = r.randint(1, 2000)
    return _lines(n, " ".join(f"{r.uniform(-1000, 1000):.3f}" for _ in range(n)))


def _islands(r: random.Random) -> list:
    rows, cols = r.randint(1, 25), r.randint(1, 25)
    return [[["1" if r.random() < 0.45 else "0" for _ in range(cols)] for _ in range(rows)]]


def _prefixed_words(r: random.Random) -> list:
    prefix = _word(r, 0, 5, "ab")
    return [[prefix + _word(r, 0, 6) for _ in range(r.randint(1, 8))]]


def _sorted_and_target(r: random.Random) -> list:
    return [sorted(r.sample(range(-500, 500), r.randint(1, 300))), r.randint(-520, 520)]


def _nums_and_k(r: random.Random) -> list:
    nums = [r.randint(-100, 100) for _ in range(r.randint(1, 40))]
    return [nums, r.randint(1, len(nums))]


def _runs(r: random.Random) -> list:
    return ["".join(ch * r.randint(1, 12) for ch in _word(r, 0, 12, "abc"))]


def _squares(r: random.Random) -> list:
    return [[r.randint(0, 10**6) ** 2], [r.randint(1, 10**6) ** 2 + 1], [0], [-4], [r.randint(0, 10**12)], [(10**9 + 7) ** 2], [(10**9 + 7) ** 2 - 1]]


SPECS: list[Spec] = [
    # APPS / TACO, stdin
    Spec("sum_pairs", "apps", SUM_PAIRS_PY, lambda r: _repeat(8, lambda: _counted(r, r.randint(1, 300), lambda: f"{r.randint(-10**12, 10**12)} {r.randint(-10**12, 10**12)}")), SUM_PAIRS_CPP),
    Spec("array_sum", "apps", ARRAY_SUM_PY, lambda r: _repeat(7, lambda: _array_input(r, r.randint(1, 3000), -10**9, 10**9)), ARRAY_SUM_CPP),
    Spec("sort_numbers", "apps", SORT_PY, lambda r: _repeat(6, lambda: _array_input(r, r.randint(1, 3000), -10**6, 10**6)), SORT_CPP),
    Spec("count_primes", "apps", PRIMES_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 50), lambda: str(r.randint(1, 200000)))), PRIMES_CPP),
    Spec("gcd_lcm", "apps", GCD_LCM_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 200), lambda: f"{r.randint(1, 10**9)} {r.randint(1, 10**9)}")), GCD_LCM_CPP),
    Spec("reverse_strings", "apps", REVERSE_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 100), lambda: _word(r, 1, 40, "abcdefghijklmnopqrstuvwxyz"))), REVERSE_CPP),
    Spec("max_subarray", "apps", KADANE_PY, lambda r: [_array_input(r, r.randint(1, 3000), -1000, -900 if k == 0 else 1000) for k in range(7)], KADANE_CPP),  # test 1: all negative
    Spec("grid_shortest_path", "apps", GRID_PY, lambda r: _repeat(8, lambda: _grid(r)), GRID_CPP),
    Spec("coin_change_ways", "apps", COINS_PY, lambda r: _repeat(6, lambda: _coins(r)), COINS_CPP),
    Spec("balanced_brackets", "apps", BRACKETS_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 60), lambda: _brackets(r))), BRACKETS_CPP),
    # APPS / TACO, call-based
    Spec("two_sum", "apps", TWO_SUM_PY, lambda r: _repeat(7, lambda: _two_sum_case(r)), fn="two_sum", kind="call"),
    Spec("rotate_matrix", "apps", ROTATE_PY, lambda r: [[[[r.randint(0, 9) for _ in range(n)] for _ in range(n)]] for n in (1, 2, 3, 4, 5, 8)], fn="rotate_matrix", kind="call"),
    Spec("count_vowels", "apps", VOWELS_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 60, "abcdefiouxyzAEIOUQ ")]), fn="count_vowels", kind="call"),
    Spec("merge_intervals", "apps", MERGE_PY, lambda r: _repeat(7, lambda: [[sorted((r.randint(0, 100), r.randint(0, 100))) for _ in range(r.randint(1, 25))]]), fn="merge_intervals", kind="call"),
    Spec("fib_mod", "apps", FIB_PY, lambda r: _repeat(6, lambda: [r.randint(0, 20000), r.randint(2, 10**9)]), fn="fib_mod", kind="call"),
    # LiveCodeBench, stdin (AtCoder style)
    Spec("lis_length", "livecodebench", LIS_PY, lambda r: _repeat(7, lambda: _array_input(r, r.randint(1, 3000), 1, 10**5)), LIS_CPP),
    Spec("knapsack", "livecodebench", KNAPSACK_PY, lambda r: _repeat(6, lambda: _knapsack(r)), KNAPSACK_CPP),
    Spec("count_at_most", "livecodebench", COUNT_LE_PY, lambda r: _repeat(6, lambda: _count_at_most(r)), COUNT_LE_CPP),
    Spec("longest_palindrome", "livecodebench", PALINDROME_PY, lambda r: [_lines(_word(r, 1, 400, "ab" if k % 2 else "abc")) for k in range(6)], PALINDROME_CPP),
    Spec("count_components", "livecodebench", COMPONENTS_PY, lambda r: _repeat(7, lambda: _graph(r, weighted=False)), COMPONENTS_CPP),
    Spec("mean_std", "livecodebench", MEAN_STD_PY, lambda r: _repeat(6, lambda: _floats(r)), MEAN_STD_CPP),
    # LiveCodeBench, functional (LeetCode style)
    Spec("max_profit", "livecodebench", PROFIT_PY, lambda r: _repeat(7, lambda: [[r.randint(1, 1000) for _ in range(r.randint(1, 500))]]), fn="maxProfit", kind="call"),
    Spec("longest_common_prefix", "livecodebench", PREFIX_PY, lambda r: _repeat(6, lambda: _prefixed_words(r)), fn="longestCommonPrefix", kind="call"),
    Spec("num_islands", "livecodebench", ISLANDS_PY, lambda r: _repeat(7, lambda: _islands(r)), fn="numIslands", kind="call"),
    Spec("edit_distance", "livecodebench", EDIT_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 60, "abc"), _word(r, 0, 60, "abc")]), fn="minDistance", kind="call"),
    Spec("search_insert", "livecodebench", INSERT_PY, lambda r: _repeat(8, lambda: _sorted_and_target(r)), fn="searchInsert", kind="call"),
    Spec("product_except_self", "livecodebench", PRODUCT_PY, lambda r: _repeat(6, lambda: [[r.randint(-5, 5) for _ in range(r.randint(2, 14))]]), fn="productExceptSelf", kind="call"),
    # CodeContests
    Spec("range_sums", "code_contests", RANGE_SUMS_PY, lambda r: _repeat(8, lambda: _range_sums(r)), RANGE_SUMS_CPP),
    Spec("dijkstra", "code_contests", DIJKSTRA_PY, lambda r: _repeat(7, lambda: _graph(r, weighted=True)), DIJKSTRA_CPP),
    Spec("matrix_product", "code_contests", MATMUL_PY, lambda r: _repeat(6, lambda: _matrices(r)), MATMUL_CPP),
    Spec("anagram_pairs", "code_contests", ANAGRAM_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 80), lambda: _anagram_pair(r))), ANAGRAM_CPP),
    Spec("factorize", "code_contests", FACTORIZE_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 20), lambda: str(r.randint(2, 10**9)))), FACTORIZE_CPP),
    Spec("count_inversions", "code_contests", INVERSIONS_PY, lambda r: [_array_input(r, r.randint(1, 3000), 1, 10**9 if k % 2 else 20) for k in range(6)], INVERSIONS_CPP),
    # open-r1 (verification_info)
    Spec("digit_sum", "openr1", DIGIT_SUM_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 50), lambda: str(r.randint(1, 10**50)))), DIGIT_SUM_CPP),
    Spec("leap_years", "openr1", LEAP_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 100), lambda: _year_range(r))), LEAP_CPP),
    Spec("collatz_steps", "openr1", COLLATZ_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 40), lambda: str(r.randint(1, 10**6)))), COLLATZ_CPP),
    Spec("transpose", "openr1", TRANSPOSE_PY, lambda r: _repeat(6, lambda: _table(r)), TRANSPOSE_CPP),
    Spec("stair_ways", "openr1", STAIRS_PY, lambda r: _repeat(6, lambda: _counted(r, r.randint(1, 20), lambda: str(r.randint(0, 5000)))), STAIRS_CPP),
    Spec("caesar", "openr1", CAESAR_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 50, "abcxyz -!"), r.randint(0, 100)]), fn="caesar", kind="call"),
    # HumanEval
    Spec("has_close_elements", "humaneval", CLOSE_PY, lambda r: _repeat(8, lambda: [[round(r.uniform(0, 100), 1) for _ in range(r.randint(0, 12))], round(r.uniform(0.05, 3), 2)]), fn="has_close_elements", kind="script", prompt=CLOSE_PROMPT),
    Spec("below_zero", "humaneval", BELOW_PY, lambda r: _repeat(7, lambda: [[r.randint(-10, 12) for _ in range(r.randint(0, 15))]]), fn="below_zero", kind="script", prompt=BELOW_PROMPT),
    Spec("running_max", "humaneval", RUNNING_PY, lambda r: _repeat(6, lambda: [[r.randint(-50, 50) for _ in range(r.randint(0, 15))]]), fn="running_max", kind="script", prompt=RUNNING_PROMPT),
    # MBPP
    Spec("is_perfect_square", "mbpp", SQUARE_PY, _squares, fn="is_perfect_square", kind="script"),
    Spec("lcs_length", "mbpp", LCS_PY, lambda r: _repeat(6, lambda: [_word(r, 0, 80, "acgt"), _word(r, 0, 80, "acgt")]), fn="lcs_length", kind="script"),
    Spec("second_smallest", "mbpp", SECOND_PY, lambda r: _repeat(6, lambda: [[r.randint(-9, 9) for _ in range(r.randint(1, 10))]]), fn="second_smallest", kind="script"),
    # KodCode
    Spec("flatten", "kodcode", FLATTEN_PY, lambda r: _repeat(6, lambda: [_nested(r)]), fn="flatten", kind="script"),
    Spec("rle_encode", "kodcode", RLE_PY, lambda r: _repeat(6, lambda: _runs(r)), fn="rle_encode", kind="script"),
    Spec("kth_largest", "kodcode", KTH_PY, lambda r: _repeat(7, lambda: _nums_and_k(r)), fn="kth_largest", kind="script"),
]


# ---- storage, as each dataset stores tests ---------------------------------------------------------------


def lcb_private(tests: list[dict]) -> str:
    """LiveCodeBench's private tests: base64(zlib(pickle(JSON string)))."""
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode()


def _json_lines(args: list) -> str:
    return "\n".join(json.dumps(arg) for arg in args)


def _assert_line(fn: str, args: list, expected: object, call: str | None = None) -> str:
    call = f"{call or fn}({', '.join(map(repr, args))})"
    if expected is None or isinstance(expected, bool):
        return f"assert {call} is {expected!r}"
    return f"assert {call} == {expected!r}"


def store(spec: Spec, inputs: list, outputs: list) -> Any:
    """The ground truth of ``spec`` as its dataset stores it."""
    if spec.format == "apps":
        if spec.kind == "call":
            return {"inputs": inputs, "outputs": [[value] for value in outputs], "fn_name": spec.fn}
        return {"inputs": inputs, "outputs": outputs}
    if spec.format == "livecodebench":
        functional = spec.kind == "call"
        tests = [
            {"input": _json_lines(given) if functional else given, "output": json.dumps(expected) if functional else expected, "testtype": "functional" if functional else "stdin"}
            for given, expected in zip(inputs, outputs)
        ]
        return {
            "question_title": spec.name,
            "platform": "leetcode" if functional else "atcoder",
            "public_test_cases": json.dumps(tests[:2]),
            "private_test_cases": lcb_private(tests[2:]),
            "metadata": json.dumps({"func_name": spec.fn} if functional else {}),
        }
    if spec.format == "code_contests":
        def split(a: int, b: int | None) -> dict:
            return {"input": inputs[a:b], "output": outputs[a:b]}

        return {
            "name": spec.name,
            "public_tests": split(0, 1),
            "private_tests": split(1, 4),
            "generated_tests": split(4, None),
            "time_limit": {"seconds": 2, "nanos": 0},
            "memory_limit_bytes": 256 << 20,
        }
    if spec.format == "openr1":
        if spec.kind == "call":
            cases = [{"type": "function_call", "fn_name": spec.fn, "input": given, "output": expected} for given, expected in zip(inputs, outputs)]
        else:
            cases = [{"type": "stdin_stdout", "input": given, "output": expected} for given, expected in zip(inputs, outputs)]
        return {"verification_info": {"language": "python", "test_cases": cases}}
    if spec.format == "humaneval":
        body = "\n".join(f"    {_assert_line(spec.fn, args, expected, 'candidate')}" for args, expected in zip(inputs, outputs))
        return {"task_id": f"Ours/{spec.name}", "prompt": spec.prompt, "entry_point": spec.fn, "test": f"\n\nMETADATA = {{}}\n\n\ndef check(candidate):\n{body}\n"}
    if spec.format == "mbpp":
        return {"task_id": spec.name, "test_list": [_assert_line(spec.fn, args, expected) for args, expected in zip(inputs, outputs)], "test_setup_code": "", "test_imports": []}
    if spec.format == "kodcode":
        functions = "\n\n".join(f"def test_{spec.fn}_{index}():\n    {_assert_line(spec.fn, args, expected)}\n" for index, (args, expected) in enumerate(zip(inputs, outputs), 1))
        return {"test": f"from solution import {spec.fn}\n\n\n{functions}", "test_info": [{"function_name": spec.fn}]}
    raise ValueError(spec.format)


def build(spec: Spec, seed: int = 0) -> dict:
    """The problem: its tests made from seeded inputs and the Python solution's outputs, stored in its format."""
    rng = random.Random(f"{spec.name}/{seed}")
    inputs = spec.tests(rng)
    if spec.kind == "stdin":
        code = compile(spec.python, spec.name, "exec")
        outputs = [_run_stdio(code, given) for given in inputs]
    else:
        function = function_of(spec.python, spec.fn)
        outputs = [json.loads(json.dumps(function(*json.loads(json.dumps(args))))) for args in inputs]
    return {
        "name": spec.name,
        "format": spec.format,
        "kind": spec.kind,
        "fn_name": spec.fn,
        "ground_truth": store(spec, inputs, outputs),
        "python": spec.python,
        "cpp": spec.cpp,
        "tests": len(inputs),
        "inputs": inputs,
        "outputs": outputs,
    }


def completion(problem: dict, language: str = "python", source: str | None = None) -> str:
    """A model's answer: a sentence and the solution (or ``source``) in a fenced block."""
    code = source if source is not None else problem[language]
    return f"Here is my solution.\n\n```{language}\n{code.rstrip()}\n```\n"


def ground_truth_for(problem: dict, language: str = "python") -> str:
    """The ground truth as the grader gets it (JSON text); an open-r1 row names its language, as that dataset does."""
    truth = problem["ground_truth"]
    if problem["format"] == "openr1":
        truth = {"verification_info": {**truth["verification_info"], "language": language}}
    return json.dumps(truth)


def lcb_sample(problem: dict) -> dict | None:
    """The sample LiveCodeBench's ``run_test`` takes: stdin tests as text, functional ones as JSON lines and JSON."""
    if problem["kind"] == "stdin":
        return {"input_output": json.dumps({"inputs": problem["inputs"], "outputs": problem["outputs"], "fn_name": None})}
    if problem["kind"] == "call":
        return {
            "input_output": json.dumps(
                {"inputs": [_json_lines(args) for args in problem["inputs"]], "outputs": [json.dumps(value) for value in problem["outputs"]], "fn_name": problem["fn_name"]}
            )
        }
    return None


PROBLEMS: list[dict] = [build(spec) for spec in SPECS]
BY_NAME: dict[str, dict] = {problem["name"]: problem for problem in PROBLEMS}


if __name__ == "__main__":
    from collections import Counter

    print(f"{len(PROBLEMS)} problems, {sum(p['tests'] for p in PROBLEMS)} tests, {sum(p['cpp'] is not None for p in PROBLEMS)} with C++")
    print(dict(Counter(f"{p['format']}/{p['kind']}" for p in PROBLEMS)))
