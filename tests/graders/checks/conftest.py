"""The reward modules in ``rewards/`` are data, never collected; shared helpers are in ``check_helpers.py``."""

collect_ignore = ["rewards"]
