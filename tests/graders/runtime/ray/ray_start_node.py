"""`ray start`, with the one guard that forbids worker nodes under RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 lifted.

That setting is the only one under which Ray keeps every socket on 127.0.0.1 (with it
unset, `ray start` turns 127.0.0.1 into the machine's outward address and its servers
listen on every interface). The guard lives in `ray.scripts.scripts` alone, so only
that module sees clusters enabled; the address logic in `ray._private.services`
still sees loopback. Usage: python ray_start_node.py start --address=... [ray start flags]
"""

import sys
import types

from ray._private import ray_constants
from ray.scripts import scripts

constants = types.ModuleType("ray_constants_for_scripts")
constants.__dict__.update(vars(ray_constants))
constants.ENABLE_RAY_CLUSTER = True
scripts.ray_constants = constants
sys.argv[0] = "ray"
scripts.main()
