"""The correct Python solutions of the function-call problems of ``code_problems`` (functions, LeetCode-style
``class Solution`` methods), and the HumanEval-style prompts of three of them (``NAME_PROMPT``)."""

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
