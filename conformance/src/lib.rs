//! The conformance harness. It is filled in by the conformance issue; the crate exists now so the
//! workspace layout is final from the first commit.
