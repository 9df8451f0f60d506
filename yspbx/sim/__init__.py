"""The simulator's control plane (``/sim/v1``): drive the simulated PBX and look inside it."""
