"""Where the ``cloudflared`` binary is: configured path, ``$SYNTH_AI_HOME/bin``, then ``PATH``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from synth_ai.domain.tunnels.errors import CloudflaredNotFound

INSTALL_HINT = (
    "install it from https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/"
    "downloads/ (Debian/Ubuntu: the cloudflared .deb; macOS: 'brew install cloudflared'), then put it "
    "on PATH, in ~/.synth-ai/bin/cloudflared, or set [tunnels] cloudflared_path / SYNTH_AI_CLOUDFLARED"
)


def find_cloudflared(configured: str | None, home: Path) -> str:
    if configured:
        path = Path(configured).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise CloudflaredNotFound(
            f"cloudflared not found at {path} (from [tunnels] cloudflared_path "
            f"or SYNTH_AI_CLOUDFLARED) — {INSTALL_HINT}"
        )
    local = home / "bin" / "cloudflared"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which("cloudflared")
    if found:
        return found
    raise CloudflaredNotFound(
        f"cloudflared is not installed (looked in {local} and on PATH) — {INSTALL_HINT}"
    )
