"""Tunnels: quick and managed tunnel rules and records, issuing managed tunnels."""
