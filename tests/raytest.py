"""A small local Ray for the tests that need one: 2 CPUs, no dashboard, a 300 MB object store; shut down after."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def ray_local():
    ray = pytest.importorskip("ray")
    from lexlab.workbench.executors.ray_executor import init_ray

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a throw-away local cluster: no token set-up
    started = not ray.is_initialized()
    if started:
        init_ray(num_cpus=2, log_to_driver=False, configure_logging=False)
    yield ray
    if started:
        ray.shutdown()
