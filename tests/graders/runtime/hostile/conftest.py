# The modules in this folder are hostile reward functions used as data by the
# sandbox tests; pytest must never import them into the test process.
collect_ignore_glob = ["*.py"]
