//! The cgroup section, read from inside (see inside.rs).
