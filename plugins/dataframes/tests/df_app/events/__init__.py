"""Events of df-app."""
