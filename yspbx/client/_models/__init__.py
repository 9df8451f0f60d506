"""Request and answer models of every endpoint, one module per area of docs/pbx-api/."""
