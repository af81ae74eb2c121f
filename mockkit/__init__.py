"""mockkit: the CLI and the demo that wire the mocks, the harness and the contract kit."""
