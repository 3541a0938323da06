Feature: Codex CLI and opencode on any Chat Completions model
  As someone optimising agents against task apps
  I want the Codex CLI and opencode to run on any chat model through synth-ai's Responses bridge
  So that I can use the model I choose, inside a budget

  Background:
    Given a chat model that asks for the shell command "echo synth-bdd > proof.txt" and then answers "Proof written."
    And synth-ai serve running against that model

  Scenario: Codex runs the command the model asks for and finishes the turn
    When I run "codex exec" against the bridge asking it to write the proof file
    Then Codex exits successfully
    And the file "proof.txt" contains "synth-bdd"
    And the command's output went back to the model as the result of its tool call
    And Codex shows the answer "Proof written."

  Scenario: synth-ai codex runs Codex inside a session that ends with it
    Given a "codex.toml" with a session limit of 3 dollars
    When I run "synth-ai codex" with "exec" asking it to write the proof file
    Then Codex exits successfully
    And the file "proof.txt" contains "synth-bdd"
    And one session with a 3 dollar limit was created, charged and ended

  Scenario: A spent budget stops the conversation before the model is called
    Given a session with a limit of 500 tokens
    And the model reports 450 tokens for its first answer
    When I send a first message and then a follow-up with the openai SDK in that session
    Then the follow-up is refused with "usage_limit_reached"
    And the model was called only once

  Scenario: A model that ends the task with __internal_stop
    Given the model calls "__internal_stop" with the final message "Task complete."
    When I send a message with a shell tool with the openai SDK
    Then the response is completed with the answer "Task complete."
    And no event mentions "__internal_stop"

  Scenario: A model whose stream breaks mid-answer still ends the turn exactly once
    Given the model's connection drops after it has started answering
    When I send a message with a shell tool with the openai SDK
    Then the response fails once with "upstream_stream_cut"
    And no reservation of the turn is left open
