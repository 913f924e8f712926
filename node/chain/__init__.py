"""The EVM chain layer: embedded anvil, an async web3 client, contract artifacts and ports."""
