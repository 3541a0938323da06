Feature: The experiment queue
  People submit batches of jobs as experiments; queue workers run them with each experiment's
  parallelism, across every worker, and nothing is lost or run twice at once.

  Background:
    Given a synth-ai home whose queue uses the real Redis broker
    And a queue worker started with "synth-ai queue start --background --concurrency 4"

  Scenario: An experiment runs to completion, at most its parallelism at a time
    Given an experiment file of 5 command jobs with parallelism 2
    When I submit it with "synth-ai experiment submit"
    Then the experiment id starts with "exp_"
    And "synth-ai experiment status" soon shows the experiment completed
    And every job ran exactly once and never more than 2 at a time
    And "synth-ai experiment results" lists 5 completed jobs with their result files
    And "synth-ai experiment logs" prints the first job's output

  Scenario: A bad override is refused naming the field and the file, and nothing is stored
    Given an experiment file of 2 command jobs with parallelism 1
    And its second job overrides "command.rnu"
    When I submit it with "synth-ai experiment submit"
    Then the command fails with one line naming "jobs[1].config_overrides" and the job's TOML file
    And "synth-ai experiment list" shows no experiment

  Scenario: A worker killed mid-job does not lose the job
    Given an experiment file of 1 command job with parallelism 1 that runs for 2 seconds
    And I submitted it with "synth-ai experiment submit"
    When the job has started and I kill the worker with SIGKILL
    And I start a worker again with "synth-ai queue start --background"
    Then "synth-ai experiment status" soon shows the experiment completed
    And the job ran twice, never at the same time, and counts 2 attempts

  Scenario: Cancel stops running jobs and their child processes
    Given an experiment file of 3 command jobs with parallelism 2 that start a child process and wait
    And I submitted it with "synth-ai experiment submit"
    When both running jobs have started their children
    And I cancel it with "synth-ai experiment cancel"
    Then every job is canceled
    And none of the jobs' processes is alive

  Scenario: queue status lists the worker and queue stop drains it
    When I run "synth-ai queue status --format json"
    Then it lists one worker of this host with concurrency 4 and a fresh heartbeat
    When I run "synth-ai queue stop"
    Then no worker of this home is running

  Scenario: The dashboard follows an experiment live, signed in with a token from synth-ai ui
    Given an experiment file of 2 command jobs with parallelism 1 that runs for 2 seconds
    And synth-ai serve runs on this home
    And I submitted it with "synth-ai experiment submit"
    When I follow the experiment's events with the token "synth-ai ui" prints
    Then the stream showed a job running, then the experiment completed, and then ended
    And the workers the dashboard lists are the ones "synth-ai queue status" prints
