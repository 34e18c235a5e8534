"""Eats memory: "huge" asks for 3 GiB at once; "grow" allocates (and touches) 64 MiB at a
time until something gives; anything else returns 0.0."""


def compute_reward(completion, ground_truth):
    if completion == "huge":
        return float(len(b"\0" * (3 << 30)))
    if completion == "grow":
        hoard = []
        while True:
            hoard.append(b"x" * (64 << 20))
    return 0.0
