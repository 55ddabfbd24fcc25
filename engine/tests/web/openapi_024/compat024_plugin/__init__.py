"""A plugin written as for hopeit.engine 0.24: one OnApp event, one event of its own."""
