//! The ipc section, read from inside (see inside.rs).
