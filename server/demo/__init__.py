"""The demo commune: UBND xã Hoài Hương with six months of work, for `make run` and for showing the product.

`seed_demo()` loads it into a database that has no units yet (and does nothing otherwise). The unit tree
goes through `create_unit`; everything else is written directly to the tables, because the real services
stamp every row with "now" and the demo needs a believable past: directives issued months ago, tasks
assigned, reported on from the field (some offline), submitted, returned, approved late or on time,
extended, cancelled. The rows follow the same rules as the services (see server/tasks/services.py):
`completed_at` is the time of the submission the leader approved, `deadline` is the last approved one
with its history in TaskDeadline, `version` counts the writes that bump it, and the history shown on
screens is the TaskEvent rows in id order.

A fixed random seed makes the demo the same every time, relative to today's date: the history ends at the
last midnight in Vietnam, and deadlines fall before, on and after today. The whole commune is planned in
memory first (`DemoBuilder`, pure apart from the ids it is given) and written in one transaction.

Every account shares the password DEMO_PASSWORD and is marked `is_demo`, so a production server refuses
to start while one of them is active (server/cli.py).

The package, in the order a demo is made: vocabulary.py (the commune's words and people), catalog.py (its
directives and tasks), plan.py (the plan's records, the planner's clock and people), simulation.py (one task's
life), scenario.py (the whole commune), writing.py (`DemoBuilder.write()` and `seed_demo()`), portal.py (the
citizens' reports and petitions on the portal).
"""

from server.demo.vocabulary import DEMO_PASSWORD, JURISDICTION, MAIN_ACCOUNTS, SEED, SEED_ACTION
from server.demo.writing import DemoBuilder, seed_demo

__all__ = ["DEMO_PASSWORD", "JURISDICTION", "MAIN_ACCOUNTS", "SEED", "SEED_ACTION", "DemoBuilder", "seed_demo"]
