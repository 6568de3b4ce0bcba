//! The clone/setns core: every namespace change nsviz makes goes through here. It must run in a
//! single-threaded process (setns into a user namespace and unshare(CLONE_NEWUSER) fail with
//! EINVAL otherwise), so the viewer runs its own binary (`nsviz enter|spawn`) to use it.

pub mod enter;
pub mod spawn;
