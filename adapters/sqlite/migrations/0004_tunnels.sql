-- Managed tunnels the backend issued, per org; a subdomain belongs to one record.
-- IF NOT EXISTS: adopted from a synth.db made before versioned migrations.
CREATE TABLE IF NOT EXISTS tunnels (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    subdomain TEXT NOT NULL UNIQUE,
    hostname TEXT NOT NULL,
    local_host TEXT NOT NULL,
    local_port INTEGER NOT NULL,
    tunnel_token TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    cloudflare_tunnel_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tunnels_org ON tunnels(org_id, created_at);
