"""Late-risk forecast: which open tasks are likely to miss their deadline in force, and why."""
