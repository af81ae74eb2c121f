"""Broken on purpose: hashes the e-mail without lower-casing it.

Caught by verify's `email-case`."""

from _naive import run

if __name__ == "__main__":
    run(lower_email=False)
