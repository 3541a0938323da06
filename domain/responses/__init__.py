"""The Responses API over Chat Completions: item model, request translation, stream state machine.

Everything here is pure (no I/O): ``request`` turns a Responses request into a Chat
Completions request, ``stream`` turns Chat chunks into Responses events, ``service`` runs one
turn against the ``ChatProvider`` and ``ResponseStore`` ports.
"""
