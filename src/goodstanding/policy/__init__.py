"""Policy as data: the policy file, pure evaluation, the Account Health Rating, seller standing,
the enforcement ladder, seller notices, the public policy center and shadow-mode simulation.

Everything in this package is free of the database and HTTP; services call it with inputs they
loaded and store what it returns.
"""
