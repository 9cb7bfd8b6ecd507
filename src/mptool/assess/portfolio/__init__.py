"""Portfolio of systems: a workspace of cases with shared objects, status, annual summary, 复测 diff."""
