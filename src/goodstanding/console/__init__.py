"""The reviewer console under /console: queues, claims, the case view, decisions."""
