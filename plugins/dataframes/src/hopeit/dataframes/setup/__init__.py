"""SETUP events of the dataframes plugin."""
