"""``caller-app``: calls ``target-app`` through three app connections (one per auth strategy)."""
