Feature: Sessions and budgets on every cost-incurring request
  Every request that costs money is charged to the caller's session, and is refused with
  HTTP 429 before it can spend past a hard limit. A request gets the largest answer the
  budget still affords, and a refused request never stops the session.

  Background:
    Given a running synth-ai backend with a scripted chat upstream
    And the upstream reports 1000 prompt tokens and 3000 completion tokens for every answer

  Scenario: A user with a $0.05 limit streams chat completions until refused
    Given I start a session with "synth-ai session start --limit-cost 0.05"
    When I stream chat completions of synth-small with max_tokens 4000 until one is refused
    Then some completions streamed before the refusal
    And the refusal is a 429 "usage_limit_reached" naming my session, the cost_usd metric, its limit and the usage
    And the settled spend of my session is at most $0.05
    And "synth-ai session show" says my session is limit_exceeded and marks cost_usd EXCEEDED

  Scenario: Requests opted out with X-No-Session pass and are recorded in the ledger
    Given I start a session with "synth-ai session start --limit-cost 0.05"
    And I stream chat completions of synth-small with max_tokens 4000 until one is refused
    When I send a chat completion with the header "X-No-Session: true"
    Then the completion succeeds without a session
    And the org usage ledger records it with no session and its tokens
    And my session's usage did not change

  Scenario: A request asking for more output than the budget affords gets what it affords
    Given I start a session with "synth-ai session start --limit-cost 0.01"
    When I send a chat completion of synth-small asking for 1000000 output tokens
    Then it succeeds and the upstream was asked for at most what $0.01 affords
    And my session is still active
    And the settled spend of my session is at most $0.01

  Scenario: A chat id that is not one of my sessions is ignored with a warning
    Given I start a session with "synth-ai session start --limit-cost 0.05"
    When I send a chat completion with the header "X-Session-ID: ses_opencode_chat_1"
    Then the completion is charged to my session with a warning naming "ses_opencode_chat_1"

  Scenario: A killed server does not strand the budget
    Given synth-ai serve with leases of 2 seconds and a session with a $0.135 limit
    When 20 chat completions are streaming and the server is killed with SIGKILL
    And the server is started again and one lease passes
    Then the next request gets the full default output cap
    And each interrupted stream was charged what it had streamed, in a "lapsed" ledger entry

  Scenario: The dashboard shows a session's spend over time and its reservations in flight
    Given I start a session with "synth-ai session start --limit-cost 0.05"
    When I send 2 chat completions of synth-small
    And a job reserves 1 API call on my session through the usage API
    Then the dashboard's spend series of my session climbs in 2 steps to its settled spend
    And the dashboard lists the job's reservation in flight on my session
    And another org's key sees neither the spend nor the reservations of my session
