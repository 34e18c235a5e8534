"""Reward functions written the way TRL's documentation and open-r1 write them."""
import re


def accuracy_reward(completions, solution, **kwargs):
    """open-r1: the last boxed answer against the `solution` column; completions are messages in chat mode."""
    contents = [completion[0]["content"] for completion in completions]
    rewards = []
    for content, sol in zip(contents, solution):
        boxed = re.findall(r"\\boxed\{([^{}]*)\}", content)
        rewards.append(1.0 if boxed and boxed[-1].strip() == sol.strip() else 0.0)
    return rewards


def format_reward(completions, **kwargs):
    """TRL docs: a format check on plain-text completions."""
    pattern = r"^<think>.*?</think><answer>.*?</answer>$"
    return [1.0 if re.match(pattern, content, re.S) else 0.0 for content in completions]


def reward_len(completions, **kwargs):
    """TRL docs: prefer completions near 20 characters."""
    return [-abs(20 - len(completion)) for completion in completions]


def group_relative(prompts, completions, **kwargs):
    """Group-aware: 1 for the shortest completion of each prompt's group."""
    shortest = {}
    for prompt, completion in zip(prompts, completions):
        shortest[prompt] = min(shortest.get(prompt, len(completion)), len(completion))
    return [1.0 if len(completion) == shortest[prompt] else 0.0 for prompt, completion in zip(prompts, completions)]


def math_only(completions, task, **kwargs):
    """Multi-task: None where the reward does not apply (TRL drops it from the weighted sum)."""
    return [float(len(completion) % 2) if kind == "math" else None for completion, kind in zip(completions, task)]


async def async_reward(prompts, completions, answer, **kwargs):
    """An async reward (TRL awaits it)."""
    return [1.0 if a in completion else 0.0 for completion, a in zip(completions, answer)]


def one_score(completions, **kwargs):
    """Wrong: one number for the whole batch."""
    return 1.0


def short_list(completions, **kwargs):
    """Wrong: fewer scores than completions."""
    return [1.0]
