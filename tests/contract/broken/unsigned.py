"""Broken on purpose: never checks the webhook signature.

Caught by verify's `bad-signature`."""

from _naive import run

if __name__ == "__main__":
    run(verify_signature=False)
