"""A small local Ray for the tests that need one: 2 CPUs, no dashboard, a 300 MB object store; shut down after.

On a loaded machine Ray's raylet may miss its 30-s start-up window (it waits that long for its metrics agent):
the fixture tries three times."""
from __future__ import annotations

import os

import pytest

INIT = {"num_cpus": 2, "include_dashboard": False, "object_store_memory": 300 * 2**20, "log_to_driver": False,
        "configure_logging": False}


@pytest.fixture(scope="session")
def ray_local():
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a throw-away local cluster: no token set-up
    started = not ray.is_initialized()
    if started:
        for attempt in range(3):
            try:
                ray.init(**INIT)
                break
            except Exception:  # "The current node timed out during startup"
                ray.shutdown()
                if attempt == 2:
                    raise
    yield ray
    if started:
        ray.shutdown()
