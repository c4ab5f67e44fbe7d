"""Reviewing coders' work: disagreements, the consensus coder built by adjudication, and
inter-coder agreement."""
