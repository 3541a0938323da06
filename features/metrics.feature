Feature: Metrics for operators
  An operator points Prometheus at synth-ai serve and at each queue worker and sees what they
  do: requests by route, spend per org, jobs by state, the queue's depth and the rollouts each
  worker performed, without any API key in a label.

  Scenario: An operator scrapes /metrics of the backend and of a queue worker
    Given a synth-ai backend is serving with a scripted model and the real Redis broker
    And an experiment of one eval job over 4 seeds submitted with "synth-ai experiment submit"
    When the operator scrapes the backend's /metrics
    Then it shows 1 job queued and 1 message waiting in the queue
    When a queue worker is started with "synth-ai queue start --background --metrics-port 0"
    And the experiment has completed
    Then the worker's /metrics shows 1 eval job completed with 4 rollouts and a recent heartbeat
    And the backend's /metrics shows the org's spend, the chat route's requests and no job queued
    And no label of either scrape holds the API key
