"""Programs (sources + build flags + tests) and the suites they come in."""
