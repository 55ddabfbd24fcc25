"""A small app whose requests write START, DONE, FAILED and IGNORED lines to its log files."""
