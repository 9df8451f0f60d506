"""What the simulated PBX accepts for each kind of object, one module per kind.

Every ``check_*`` function takes the object as it would be after the change, the object as it
is now (``None`` when adding), the names of the fields the request set, and the configuration
for cross-checks. Field rules run only for the fields that were set, so a value the config file
holds is never re-judged by an unrelated change; rules between fields run when one of their
fields was set. A failed check raises :class:`yspbx.errors.PbxError` with the kind's errno.
"""
