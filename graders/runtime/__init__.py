"""The sandboxed grader runtime: a reward loaded into a zygote, a confined process per call (or per warm chunk).

Read it bottom-up; every module imports only modules below it (``tests/test_import_graph.py``)::

    faces        grader.py           Grader: grade / grade_batch / scores / iter_results / iter_ordered / agrade ...
                 watch.py            FailureWatch: a reward failing on whole batches stops a run loudly
    managers     local_manager.py    one zygote, a pipe pair per chunk of calls, deadlines, restarts
                 ray_backend.py      the same contract over Ray actors (ray_actor.py, ray_connection.py)
                 manager.py          jobs in from caller threads, work out, results handed back in batches
    zygote       sandbox.py          starts the zygote (exec, never fork) and waits until it is ready
                 zygote.py           loads the reward, forks and confines call processes, runs the calls
                 warm.py             what a warm call (or the zygote's warm-up) left for the next one
                 wire.py, frames.py  requests in, one text frame per call out; results.py reads them
                 layers.py           which kernel layers apply (isolation/: Landlock, seccomp, namespaces)
    sources      sources.py          RewardSource: what a reward is, parsed without running it
                 loader.py           loads it, in the zygote only (restricted.py: RestrictedPython)
                 binding.py          what a reward takes from a row; environment.py: the zygote's environment

How a call runs::

    grade / grade_batch / iter_results / agrade ...   (caller threads)
            │  _Job(items) ─▶ queue                 ▲  results, a list per round of the manager
            ▼                                       │
    _Manager thread ── one selector: zygote socket, chunk pipes, wake-up pipe, deadlines
            │  run chunk (+ its pipes) / kill chunk  ▲  exit statuses;  ▲ frames, on the chunk's pipe
            ▼                                       │                   │
    zygote (sandbox.py, zygote.py) ── fork ──▶ call processes ──────────┘

Nothing is imported here: the zygote imports modules of this package and stays small.
"""
