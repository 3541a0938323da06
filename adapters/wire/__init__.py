"""Wire shapes: cattrs converters at the edge, one module per capability."""
