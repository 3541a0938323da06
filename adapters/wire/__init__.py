"""Wire shapes: cattrs converters shared by the HTTP routes, the backend client and stores."""
