Feature: Prompt optimisation — GEPA and MIPRO against any task app, budgeted, producing pl_ artifacts
  A person has a task app and a starting prompt. `synth-ai optimize CONFIG.toml` searches for a
  better prompt with GEPA or MIPRO: every rollout goes to the task app's /rollout with a policy
  inference_url that points at the backend's interceptor, which puts the candidate prompt into
  the task app's chat requests and meters them in the job's own budgeted session. The best
  prompt comes back as a pl_ job in the artifact catalog, next to the baseline it beat.
  The same jobs run in the experiment queue as job kinds gepa and mipro: a queue worker with a
  configured backend (SYNTH_BACKEND_URL) sends every call of its jobs there.

  Background:
    Given a synth-ai backend is serving with a scripted model
    And a task app that grades answers by rules it explains in its feedback

  Scenario: GEPA lifts the prompt from the baseline to the ceiling
    When I run "synth-ai optimize gepa.toml --format json" for a GEPA job with a budget of 60 rollouts
    Then the command succeeds
    And the job completed with a baseline score of 0 and a best score of 1
    And the job ran at most 60 rollouts
    And "synth-ai artifacts show" on the job shows the baseline score and the learned rule

  Scenario: MIPRO finds the instruction and demonstrations that reach the ceiling
    When I run "synth-ai optimize mipro.toml --format json" for a MIPRO job with a budget of 120 rollouts
    Then the command succeeds
    And the job completed with a baseline score of 0 and a best score of 1
    And the job ran at most 120 rollouts
    And "synth-ai artifacts show" on the job shows the baseline score and the learned rule

  Scenario: A job that runs out of money stops cleanly and keeps its best prompt
    When I run "synth-ai optimize gepa.toml --format json" for a GEPA job with a spend limit of $0.003
    Then the command succeeds
    And the job completed because its budget was exhausted
    And the job's session spent no more than $0.003
    And the job's artifact holds its best prompt so far

  Scenario: A mistyped key is named with its file
    When I run "synth-ai optimize gepa.toml" for a GEPA job whose config says "budgte" instead of "budget"
    Then the command fails with one line naming "prompt_learning.gepa.rollout.budgte" and the file

  Scenario: A GEPA job and a MIPRO job run through the queue and leave pl_ artifacts
    Given a queue worker started with "synth-ai queue start --background" on the real Redis broker
    And an experiment file of a GEPA job and a MIPRO job with parallelism 2
    When I submit it with "synth-ai experiment submit"
    Then "synth-ai experiment status --format json" soon shows the experiment completed
    And both jobs completed with a baseline score of 0 and a best score of 1
    And each job's stored progress holds its rollouts, candidates, train and validation scores, spend and ETA
    And "synth-ai experiment status --watch" rendered the jobs' progress, candidates, scores and spend
    And every model call went through the configured backend, none through one of the worker's own
    And "synth-ai artifacts show" on each job's artifact shows the baseline score and the learned rule
    And "synth-ai artifacts download" on each job's artifact writes its best prompt
    When I stop the worker with "synth-ai queue stop"
    Then no process of any worker is alive

  Scenario: A worker killed with SIGKILL mid-GEPA-job: the re-run resumes from its checkpoint
    Given a queue worker started with "synth-ai queue start --background" on the real Redis broker
    And an experiment file of one GEPA job whose model calls are slow
    And I submitted it with "synth-ai experiment submit"
    When the job has run 12 rollouts and I kill the worker with SIGKILL
    And I start a worker again with "synth-ai queue start --background"
    Then "synth-ai experiment status --format json" soon shows the experiment completed
    And the job counts 2 attempts and its second attempt ran fewer rollouts than the whole job
    When I stop the worker with "synth-ai queue stop"
    Then no process of any worker is alive

  Scenario: experiment cancel stops a running GEPA job cleanly
    Given a queue worker started with "synth-ai queue start --background" on the real Redis broker
    And an experiment file of one GEPA job whose model calls are slow
    And I submitted it with "synth-ai experiment submit"
    When the job has run 6 rollouts
    And I cancel it with "synth-ai experiment cancel"
    Then the job is canceled and its pl_ job says canceled
    When I stop the worker with "synth-ai queue stop"
    Then no process of any worker is alive

  Scenario: queue stop --now hands a running GEPA job back and the next worker resumes it
    Given a queue worker started with "synth-ai queue start --background" on the real Redis broker
    And an experiment file of one GEPA job whose model calls are slow
    And I submitted it with "synth-ai experiment submit"
    When the job has run 6 rollouts
    And I stop the worker with "synth-ai queue stop --now"
    And I start a worker again with "synth-ai queue start --background"
    Then "synth-ai experiment status --format json" soon shows the experiment completed
    And the job resumed from its checkpoint and its pl_ job says succeeded
    When I stop the worker with "synth-ai queue stop"
    Then no process of any worker is alive
