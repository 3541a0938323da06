Feature: Discovery of running task apps
  A user has task apps running in several ways (a script with InProcessTaskApp, a
  `synth-ai deploy` service, a cloudflared quick tunnel) next to other local servers, and asks
  `synth-ai scan` what is running and whether it is healthy. Their task-app key goes only to
  loopback addresses and to URLs from their own records.

  Background:
    Given a block of free local ports
    And ENVIRONMENT_API_KEY is set to the user's key

  Scenario: Scan finds every task app, names what is not one, and reports stale records
    Given a task app running in the user's script with InProcessTaskApp
    And a task app deployed with synth-ai deploy --runtime local
    And a plain HTTP server that is not a task app
    And a task app that wants a key the user does not have
    And a record of a deployment whose process is gone
    And a stand-in cloudflared quick tunnel to the InProcessTaskApp
    When the user runs synth-ai scan --format json over the block
    Then the scan exits 0
    And the InProcessTaskApp is healthy, found by the port scan and by cloudflared
    And the deployed task app is healthy, found through its service record
    And the plain HTTP server is reported as not a task app
    And the task app with another key is reported as auth required
    And the quick tunnel is a cloudflare app that was not sent the key
    And the dead deployment is reported as stale, not as an app
    And the summary counts match the apps in the public shape
    When the user runs synth-ai scan over the block
    Then the table shows every app with its status
    When the user stops everything
    Then no process the scenario started is running, checked by pid

  Scenario: The dashboard lists a deployed task app as synth-ai scan does
    Given a task app deployed with synth-ai deploy --runtime local
    When the dashboard asks the backend for the task apps on its machine
    And the user runs synth-ai scan --format json over the block
    Then the dashboard lists the deployed task app healthy, as the scan does
    When the user stops everything
    Then the deployed task app is gone

  Scenario: Nothing running is not an error
    When the user runs synth-ai scan --format json over the block
    Then the scan exits 0
    And no app is reported

  Scenario Outline: Bad input is one line and exit code 2
    When the user runs synth-ai scan with <option> "<value>"
    Then the scan exits 2 with one line naming "<value>"

    Examples:
      | option       | value  |
      | --port-range | 9:1    |
      | --port-range | eighty |
      | --timeout    | -1     |
