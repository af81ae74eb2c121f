"""Broken on purpose: retries a 429 at once instead of waiting for x-rate-limit-reset.

Caught by verify's `rate-limit-wait`."""

from _naive import run

if __name__ == "__main__":
    run(honour_reset=False)
