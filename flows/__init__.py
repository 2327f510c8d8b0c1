"""The agents, one Prefect flow per module."""
