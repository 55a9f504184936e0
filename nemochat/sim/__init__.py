"""The NemoVideo backend simulator: a real HTTP server on 127.0.0.1 that
follows protocol.md section 1, with scripted agent behaviours and switchable
faults. It serves ``--demo``, ``nemochat sim``, the tests and the benchmarks.

    with start_simulator(time_scale=0) as sim:
        sim.world.set_faults(error_code={"code": 1001})
        ...  # talk HTTP to sim.base_url
"""

from nemochat.sim.faults import Faults
from nemochat.sim.runner import RunningSimulator, serve_forever, start_simulator
from nemochat.sim.world import Settings, SimWorld

__all__ = ["Faults", "RunningSimulator", "Settings", "SimWorld", "serve_forever", "start_simulator"]
