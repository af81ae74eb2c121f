"""Broken on purpose: copies every custom question into metadata, untruncated.

Caught by verify's `custom-questions`."""

from _naive import run

if __name__ == "__main__":
    run(truncate_metadata=False)
