Feature: Tunnels
  A user exposes a task app running in their script through a Cloudflare tunnel, and
  everything stops with it. (cloudflared and Cloudflare are stand-ins kept in tests/.)

  Background:
    Given the example arithmetic task app with ENVIRONMENT_API_KEY set
    And a policy endpoint that answers "28"
    And the stand-in cloudflared is installed

  Scenario: Open a quick tunnel from a script and press Ctrl+C
    When the user's script runs it with InProcessTaskApp and a quick tunnel
    Then the script reports a trycloudflare.com URL
    And /rollout for seed 0 through the tunnel is rewarded 1.0
    When the user presses Ctrl+C
    Then the script ends with KeyboardInterrupt in the user's code
    And nothing is left running: the script, cloudflared and the port are all gone

  Scenario: Cloudflare rate-limits quick tunnels
    Given Cloudflare rate-limits quick tunnels
    When the user's script runs it with InProcessTaskApp and a quick tunnel
    Then the script fails saying quick tunnel creation was rate-limited
    And nothing is left running: the script, cloudflared and the port are all gone

  Scenario: A managed tunnel issued by the backend
    Given a backend with a Cloudflare account for "tunnels.example.test"
    When the user runs synth-ai deploy --runtime tunnel --tunnel-mode managed --tunnel-subdomain demo --background
    Then the deployment is recorded at "https://demo.tunnels.example.test"
    And the backend lists the tunnel "demo.tunnels.example.test"
    And /health through the managed tunnel is healthy
    When the user runs synth-ai deploy stop --all
    Then the deployment's process and its cloudflared are gone
