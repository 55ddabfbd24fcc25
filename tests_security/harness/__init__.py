"""What the security suite needs to attack real servers: processes, configs, HTTP by hand, figures."""
