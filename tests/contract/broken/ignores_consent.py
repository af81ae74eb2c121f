"""Broken on purpose: forwards approved orders whatever their consents.

Caught by verify's `no-consent`."""

from _naive import run

if __name__ == "__main__":
    run(check_consent=False)
