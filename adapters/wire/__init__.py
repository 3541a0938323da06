"""Wire shapes: one cattrs module per capability, shared by the HTTP routes, CLI and SDK."""
