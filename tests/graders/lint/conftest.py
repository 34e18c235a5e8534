# The modules in fixtures/ and clean/ are rewards used as data by the lint tests; pytest must not collect them.
collect_ignore = ["fixtures", "clean"]
