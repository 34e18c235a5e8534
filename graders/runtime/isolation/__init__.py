"""Kernel isolation primitives applied inside the sandbox processes.

Each module wraps one mechanism and raises ``OSError`` when the kernel refuses it;
``layers`` decides what to apply, in which order, and reports what took effect.
Nothing here is imported by the caller's process except to describe layers.
"""
