"""Certificates: rendering (with its task), bulk jobs, the language they are printed in."""
