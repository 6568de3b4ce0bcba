//! The kinds of holder: what can keep a namespace alive, and how each is named and opened.
//! Outputs, views and the enter dialog ask here instead of spelling the kinds out, so a new
//! kind of holder touches this file (and the scanner that finds it).

use super::{FdRef, Namespace, NsType, Pid};

/// One thing that keeps a namespace alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder<'a> {
    /// A process whose /proc/PID/ns/TYPE link points at it.
    Process(Pid),
    /// A thread in it whose process is not.
    Thread(Pid),
    /// A process whose children are born in it (pid_for_children, time_for_children).
    ForChildren(Pid),
    /// An open nsfs file descriptor.
    Fd(FdRef),
    /// A socket created in it (network namespaces).
    Socket(FdRef),
    /// An nsfs bind mount.
    Mount(&'a str),
}

impl Holder<'_> {
    /// The process behind it, if any.
    pub fn pid(self) -> Option<Pid> {
        match self {
            Holder::Process(pid) | Holder::ForChildren(pid) => Some(pid),
            Holder::Fd(f) | Holder::Socket(f) => Some(f.pid),
            Holder::Thread(_) | Holder::Mount(_) => None,
        }
    }

    /// A path that opens the namespace through this holder (`root` is the proc root); None
    /// for a socket, which cannot be opened as a namespace.
    pub fn path(self, root: &str, ns_type: NsType) -> Option<String> {
        match self {
            Holder::Process(pid) => Some(format!("{root}/{pid}/ns/{ns_type}")),
            Holder::Thread(tid) => Some(format!("{root}/{tid}/ns/{ns_type}")),
            Holder::ForChildren(pid) => Some(format!("{root}/{pid}/ns/{ns_type}_for_children")),
            Holder::Fd(f) => Some(format!("{root}/{}/fd/{}", f.pid, f.fd)),
            Holder::Socket(_) => None,
            Holder::Mount(path) => Some(path.to_string()),
        }
    }

    /// A few words, with `name` naming a process ("fd 5 of PID 12", "mounted at /run/x").
    /// Raw text: escape before display.
    pub fn describe(self, ns_type: NsType, name: impl Fn(Pid) -> String) -> String {
        match self {
            Holder::Process(pid) => format!("process {}", name(pid)),
            Holder::Thread(tid) => format!("thread {tid}"),
            Holder::ForChildren(pid) => {
                format!("{ns_type}_for_children of {}", name(pid))
            }
            Holder::Fd(f) => format!("fd {} of {}", f.fd, name(f.pid)),
            Holder::Socket(f) => format!("socket fd {} of {}", f.fd, name(f.pid)),
            Holder::Mount(path) => format!("mounted at {path}"),
        }
    }
}

impl Namespace {
    /// Every holder, processes first, then the others in the order they are best opened
    /// through (mounts, fds, threads, children, sockets).
    pub fn holders(&self) -> impl Iterator<Item = Holder<'_>> {
        let processes = self.processes.iter().map(|&p| Holder::Process(p));
        let mounts = self.mounts.iter().map(|m| Holder::Mount(m.as_str()));
        let fds = self.fds.iter().map(|&f| Holder::Fd(f));
        let threads = self.tasks.iter().map(|&t| Holder::Thread(t));
        let children = self.for_children.iter().map(|&p| Holder::ForChildren(p));
        let sockets = self.sockets.iter().map(|&f| Holder::Socket(f));
        processes
            .chain(mounts)
            .chain(fds)
            .chain(threads)
            .chain(children)
            .chain(sockets)
    }

    /// The holders other than member processes.
    pub fn other_holders(&self) -> impl Iterator<Item = Holder<'_>> {
        self.holders().skip(self.processes.len())
    }

    /// The first path that opens it (`root` is the proc root): through a member process,
    /// else a bind mount, an fd, a thread or a for_children link.
    pub fn open_path(&self, root: &str) -> Option<String> {
        self.holders().find_map(|h| h.path(root, self.ns_type))
    }

    /// True when nothing found keeps it alive: it is only known as a parent or owner of another
    /// namespace (an intermediate user namespace with no process left, say).
    pub fn is_hidden(&self) -> bool {
        self.holders().next().is_none()
    }
}
