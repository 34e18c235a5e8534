# The modules in tests/checks/rewards are rewards used as data; pytest must never import them.
collect_ignore = ["rewards"]
