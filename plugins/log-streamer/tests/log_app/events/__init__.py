"""Events of log-app."""
