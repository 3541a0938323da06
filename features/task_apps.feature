Feature: Task apps
  A user writes a task app in a few lines, runs it inside their own script with
  InProcessTaskApp, and optimises a policy against it through /rollout.

  Background:
    Given the example arithmetic task app with ENVIRONMENT_API_KEY set
    And a policy endpoint that answers "5 * 3 is 15"

  Scenario: Run the example task app in a script and call /rollout
    When the user's script runs it with InProcessTaskApp
    Then /info describes the task "arithmetic" with 15 train and 5 test seeds
    When the user calls /rollout for seed 2 with the prompt "Answer with the integer only."
    Then the rollout reward is 1.0 and the gold answer is 15
    And the policy endpoint received the prompt "Answer with the integer only." and the question "What is 5 * 3?"
    When the user presses Ctrl+C
    Then the script ends with KeyboardInterrupt in the user's code
    And nothing is left running

  Scenario: A caller with the wrong key is refused
    When the user's script runs it with InProcessTaskApp
    Then /info with the key "not-the-key" answers 401
    And /rollout with an env seed "two" answers 422 naming "$.env.seed"
    When the user presses Ctrl+C
    Then nothing is left running

  Scenario: Deploy the task app as a background service, list it and stop it
    When the user runs synth-ai deploy --runtime local --background on it
    Then synth-ai deploy list shows the deployment of "arithmetic"
    When the user runs synth-ai deploy stop with its id
    Then the deployment's process is gone and synth-ai deploy list is empty

  Scenario: A foreground deploy stopped with Ctrl+C exits 130 and leaves nothing behind
    When the user runs synth-ai deploy --runtime local in the foreground on it
    Then synth-ai deploy list shows the deployment of "arithmetic"
    When the user presses Ctrl+C in the terminal running deploy
    Then deploy exits with code 130
    And the deployment's process is gone and synth-ai deploy list is empty
