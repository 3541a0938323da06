Feature: Mistakes at the command line
  Every mistake a user can make at the CLI gets one clear line, the right exit code
  (2 for a usage error, 1 for an expected failure, 130 for Ctrl+C), and loses nothing.

  Scenario: A port out of range is a usage error naming the option and the range
    When I run "synth-ai serve --port 99999"
    Then it exits with code 2 and one error line containing "'--port': '99999' is outside the accepted range: a whole number 1–65535"

  Scenario: A bad number in config.toml names the key and the file
    Given config.toml holds "[client]\ntimeout = nan"
    When I run "synth-ai artifacts list"
    Then it exits with code 1 and one error line containing "[client] timeout = nan in"
    And the error line names config.toml

  Scenario: A bad number in the environment names the variable
    Given the environment sets SYNTH_AI_PORT to "0"
    When I run "synth-ai serve"
    Then it exits with code 1 and one error line containing "SYNTH_AI_PORT=0 is outside 1–65535"

  Scenario: A mistyped command suggests the one that was meant
    When I run "synth-ai sesion list"
    Then it exits with code 2 and one error line containing "Did you mean 'session'?"

  Scenario: synth-ai ui with no backend running says how to start one
    Given the environment sets SYNTH_BACKEND_URL to "http://127.0.0.1:9"
    When I run "synth-ai ui"
    Then it exits with code 1 and one error line containing "start it with 'synth-ai serve'"

  Scenario: synth-ai ui refuses a token lifetime of zero
    When I run "synth-ai ui --ttl 0"
    Then it exits with code 2 and one error line containing "'--ttl': '0'"
