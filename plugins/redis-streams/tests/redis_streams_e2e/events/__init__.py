"""Events of the e2e app."""
