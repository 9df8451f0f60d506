"""The client's methods, grouped by area (``client.extensions``, ``client.calls``, ...).

``_async/`` is the source; ``_sync/`` is generated from it by ``python -m
yspbx.client._unasync`` (a test fails when it is out of date). Each method only names its
endpoint and its fields: building, sending, re-login and parsing live in the shared base.
"""
