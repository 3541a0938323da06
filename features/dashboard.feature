Feature: The dashboard
  People watching an optimisation would rather look than read: `synth-ai serve` has a dashboard
  at /ui where an experiment progresses live, an artifact shows its learning curve and its best
  prompt beside the baseline and where each candidate came from, a session its spend against
  its limits, and the machine its queue workers and task apps. It shows one org's
  data, and only to someone signed in with that org's key.

  Background:
    Given a synth-ai backend serving the dashboard, with a queue worker and a scripted model

  Scenario: Without a key the dashboard shows no data
    When I open /ui without signing in
    Then I see the sign-in form
    And no data request succeeded

  Scenario: Watching an optimisation from the dashboard
    Given I signed in with my API key
    When I submit an experiment of one GEPA job and open its page
    Then the page shows the job running, then completed, without a reload
    When I open the job's artifact from the page
    Then I see the learning curve with the baseline marked
    And the best prompt beside the baseline with the learned rule highlighted
    And each candidate GEPA made names the candidate it was made from

  Scenario: The task apps on the server's machine, with their health
    Given I signed in with my API key
    When I open the workers and task apps page
    Then I see the queue worker live
    And the task app on the port [ui] scan_ports sweeps, healthy

  Scenario: Another org's key sees none of my org's data
    Given an experiment of my org has finished
    When I sign in with another org's key
    Then the experiments, artifacts and sessions lists are empty
