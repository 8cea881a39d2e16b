class ActionRefused(Exception):
    """A service refused a request for a reason the person can act on.

    Views show ``str(error)`` as the message; nothing was written.
    """
