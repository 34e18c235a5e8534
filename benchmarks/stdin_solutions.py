"""The correct solutions of the stdin/stdout problems of ``code_problems``, in Python and C++ (a ``NAME_PY`` and a
``NAME_CPP`` each); ``code_problems`` makes their tests and stores them the ways datasets do."""

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
