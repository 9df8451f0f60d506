"""Event reports: from the engine's domain events to the application server, in order, never
lost (``docs/reports.md``)."""
