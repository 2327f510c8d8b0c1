"""Deployments of the agents: the local serve entry of the demo."""
