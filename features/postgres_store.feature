Feature: A durable shared store on PostgreSQL
  With [store] backend = "postgres" every stateful port keeps its rows in one PostgreSQL
  database whose schema is versioned: migrations run on start or with "synth-ai db migrate",
  each exactly once, and an unreachable server is one clear line.

  Scenario: Migrating a new database applies every migration once
    Given a synth-ai home whose store is a new PostgreSQL schema
    When I run "synth-ai db migrate"
    Then it prints that the schema is at the latest version
    And running "synth-ai db migrate" again applies nothing
    And "synth-ai db status" lists every migration as applied

  Scenario: An unreachable PostgreSQL is one error line naming the setting
    Given a synth-ai home whose store is PostgreSQL on a closed port
    When I run "synth-ai db migrate"
    Then it exits with code 1 and one error line containing "SYNTH_AI_POSTGRES_URL"
