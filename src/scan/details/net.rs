//! The net section, read from inside (see inside.rs).
