"""Returns a value of the kind named by the completion; the ground truth is a marker path
that a hostile __reduce__ would create in whichever process unpickles the result."""
import numbers
import os
import time


class FloatRaises:
    """Claims to be a real number, but float() fails."""

    def __float__(self):
        raise ValueError("no float for you")


class FloatHangs:
    """Claims to be a real number, but float() never returns."""

    def __float__(self):
        while True:
            time.sleep(0.01)


numbers.Real.register(FloatRaises)
numbers.Real.register(FloatHangs)


def _hostile_float(marker):
    class HostileFloat(float):
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    return HostileFloat(0.75)


def compute_reward(completion, ground_truth):
    kind = completion
    if kind == "hostile_float":
        return _hostile_float(ground_truth)
    if kind == "numpy_float32":
        import numpy
        return numpy.float32(0.5)
    if kind == "numpy_int64":
        import numpy
        return numpy.int64(1)
    if kind == "numpy_bool":
        import numpy
        return numpy.bool_(True)
    if kind == "numpy_nan":
        import numpy
        return numpy.float64("nan")
    values = {
        "none": None,
        "nan": float("nan"),
        "inf": float("inf"),
        "-inf": float("-inf"),
        "str": "1.0",
        "bytes": b"1",
        "list": [1.0],
        "dict": {},
        "huge_int": 10**400,
        "object": object(),
        "complex": 1 + 0j,
        "float_raises": FloatRaises(),
        "float_hangs": FloatHangs(),
        "true": True,
        "false": False,
        "int": 2,
        "negative": -0.5,
        "float": 0.25,
    }
    return values[kind]
