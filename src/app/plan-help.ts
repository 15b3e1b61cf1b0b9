/** Help text of `tocsin plan` (its own module so `--help` loads nothing heavy). */
export const PLAN_HELP = `Usage: tocsin plan <validate|analyse|simulate> PLAN.json [SCENARIO.json] [--type ALARM_TYPE]
       tocsin plan publish PLAN.json | tocsin plan export ID@VERSION

  validate PLAN.json             list every problem with its JSON pointer and reason
  analyse  PLAN.json             reachable states, paths to final states, worst-case time to the
                                 first notification and the last escalation, max notifications
  simulate PLAN.json SCEN.json   the predicted timeline for a scenario on a virtual clock
  publish  PLAN.json             validate, then store as the next immutable version of its id in the
                                 configured database (migrated first); prints {id, version}
  export   ID@VERSION            print a published version: definition, publishedAt/By, disabledAt

--type picks the alarm type whose groups and parameters the analysis and simulation use
(default: the first type that pins this plan id, else the first type).
Scenario: {"steps":[{"at":60000,"event":"reject","by":"operator-1"},{"at":90000,"event":"accept","by":"supervisor-1"}]}

Exit codes: 0 done/valid, 1 the plan (or scenario) is invalid or the version does not exist,
2 usage error.`;
