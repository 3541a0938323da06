Feature: Versioned schema migrations on the SQLite store
  The SQLite file synth.db keeps its schema as numbered migrations applied the same way as on
  PostgreSQL: on start or with "synth-ai db migrate", each once, so an upgrade never asks a
  user to delete their database, and a database a newer synth-ai migrated is refused clearly.

  Scenario: A synth.db made before versioned migrations is adopted with its sessions
    Given a synth.db written by a synth-ai from before versioned migrations, holding a session
    When I run "synth-ai db migrate"
    Then it prints that the schema is at the latest version
    And "synth-ai db status" lists every migration as applied
    And the session reads back unchanged

  Scenario: A synth.db a newer synth-ai migrated stops serve in one line
    Given a synth.db migrated by a newer synth-ai
    When I run "synth-ai serve --port 1"
    Then it exits with code 1 and one error line containing "upgrade synth-ai"
