"""hyosan's benchmarks: each times hyosan and a peer in the same run (`python -m benchmarks NAME`)."""
