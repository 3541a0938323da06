"""Task apps: the rollout contract, deployments (service records), their errors."""
