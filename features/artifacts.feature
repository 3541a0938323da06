Feature: Artifacts — models and optimised prompts, from the store to the CLI
  Trainers report the models and prompt-optimisation jobs they produce to a running
  synth-ai backend; people list them, read the best prompt, download it, and publish
  models to the Hugging Face Hub, all with `synth-ai artifacts`.

  Background:
    Given a synth-ai backend is serving on a free port
    And a trainer has reported the prompt job "pl_0a1b2c" with snapshots scoring 0.55 and 0.91
    And a trainer has reported the model "peft:Qwen/Qwen3-0.6B:job_lora1" with merged and adapter weights

  Scenario: Listing shows models and prompt jobs
    When I run "synth-ai artifacts list --format json"
    Then the command succeeds
    And the JSON lists the fine-tuned model "peft:Qwen/Qwen3-0.6B:job_lora1"
    And the JSON lists the prompt job "pl_0a1b2c" with best score 0.91
    And the JSON summary counts 2 artifacts

  Scenario: Showing a prompt job gives its best optimised prompt
    When I run "synth-ai artifacts show pl_0a1b2c"
    Then the command succeeds
    And the output contains "You are a precise banking intent classifier."
    And the output contains "best snapshot"

  Scenario: Downloading the best prompt as text renders text replacements
    When I run "synth-ai artifacts download pl_0a1b2c --format text"
    Then the command succeeds
    And the file "prompts/pl_0a1b2c/best.txt" contains "[system]"
    And the file "prompts/pl_0a1b2c/best.txt" contains "You are a precise banking intent classifier."

  Scenario: Exporting a model publishes its adapter to the Hub
    Given a Hugging Face Hub is reachable
    When I run "synth-ai artifacts export peft:Qwen/Qwen3-0.6B:job_lora1 --repo-id acme/qwen-lora --prefer-adapter --tags banking"
    Then the command succeeds
    And the Hub repository "acme/qwen-lora" is private and holds "adapter_model.safetensors" and a model card tagged "banking"

  Scenario: Downloading as YAML keeps a multi-line prompt readable
    Given a trainer has reported the prompt job "pl_0d0e" whose best prompt has several lines
    When I run "synth-ai artifacts download pl_0d0e --format yaml"
    Then the command succeeds
    And the file "prompts/pl_0d0e/best.yaml" holds the prompt as a block scalar

  Scenario: Exporting while the Hub is down fails with one line
    Given the Hugging Face Hub is down
    When I run "synth-ai artifacts export peft:Qwen/Qwen3-0.6B:job_lora1 --repo-id acme/qwen-lora"
    Then the command fails with one line containing "is not reachable"

  Scenario: A malformed id is refused with the accepted forms
    When I run "synth-ai artifacts show ft:Qwen3-0.6B"
    Then the command fails with one line containing "the BASE part is missing"
    And the error shows the accepted forms

  Scenario: A wrong API key is refused
    When I run "synth-ai --api-key sk-wrong artifacts list"
    Then the command fails with one line containing "invalid API key"

  Scenario: A prompt file holding NaN is refused with its line and column
    Given the file "bad.json" holds '{"job_id": "pl_0f0f", "metadata": {"x": NaN}}'
    When I run "synth-ai artifacts register-prompt bad.json"
    Then the command fails with one line containing "bad.json:1:41: NaN is not a number JSON allows"

  Scenario: Downloading to a symlink writes the file it points at and keeps the link
    Given the file "real.json" holds 'old'
    And "link.json" is a symlink to "real.json"
    When I run "synth-ai artifacts download pl_0a1b2c -o link.json"
    Then the command succeeds
    And "link.json" is still a symlink
    And the file "real.json" contains "You are a precise banking intent classifier."

  Scenario: A mistyped command suggests the one that was meant
    When I run "synth-ai artifact list"
    Then the command is refused as a usage error containing "Did you mean 'artifacts'?"
