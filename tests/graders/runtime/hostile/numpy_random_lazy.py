"""Returns numpy's global RNG output; numpy is imported only inside the call."""


def compute_reward(completion, ground_truth):
    import numpy

    return float(numpy.random.random())
