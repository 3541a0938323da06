"""cattrs wire shapes, one module per capability."""
