"""The web console at ``/console``: a page over the control plane and its event stream."""
