"""One PBX across processes (``--workers N``, several servers on one store).

One process holds the engine lease (:mod:`.lease`) and runs the engine; every process answers
the API itself as far as it can (tokens, lockouts, logins, from the shared store) and hands the
rest to the engine's process over a link (:mod:`.links`: :mod:`.tcp` on one machine,
:mod:`.redis_pubsub` across hosts), as messages (:mod:`.messages`, :mod:`.commands`).
:class:`.node.FleetNode` ties the lease, the link and the handing-over together.
``docs/architecture.md`` ("One PBX across processes") tells the design and why.
"""
