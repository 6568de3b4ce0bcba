//! The uts section, read from inside (see inside.rs).
