//! The ipc section, read from inside (see inside.rs). /proc/sysvipc/* lists the System V
//! objects of the *reader's* IPC namespace; POSIX message queues are the files of that
//! namespace's mqueue filesystem, mounted detached (fsopen + fsmount, never attached anywhere)
//! and listed through the mount's fd.

use rustix::fs::{Dir, Mode, OFlags};
use rustix::mount::{FsMountFlags, FsOpenFlags, MountAttrFlags};

use crate::model::details::IpcDetails;

/// The objects of the IPC namespace the calling thread is in.
pub fn read() -> Result<IpcDetails, String> {
    let count = |name: &str| {
        std::fs::read(format!("/proc/sysvipc/{name}"))
            .map(|table| count_rows(&table))
            .map_err(|e| {
                format!(
                    "ipc objects: cannot read /proc/sysvipc/{name} ({})",
                    crate::error::describe_io(&e)
                )
            })
    };
    Ok(IpcDetails {
        shm_segments: count("shm")?,
        semaphore_sets: count("sem")?,
        message_queues: count("msg")?,
        posix_queues: count_posix_queues().ok(),
    })
}

/// Rows of a /proc/sysvipc table: every line but the header.
pub fn count_rows(table: &[u8]) -> u32 {
    let rows = table
        .split(|&b| b == b'\n')
        .skip(1)
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .count();
    u32::try_from(rows).unwrap_or(u32::MAX)
}

/// The POSIX message queues of the calling thread's IPC namespace: the mqueue filesystem the
/// kernel keeps for each IPC namespace, mounted detached, read-only, and gone when the fds
/// close.
pub fn count_posix_queues() -> rustix::io::Result<u32> {
    let fs = rustix::mount::fsopen("mqueue", FsOpenFlags::FSOPEN_CLOEXEC)?;
    rustix::mount::fsconfig_create(&fs)?;
    let mount = rustix::mount::fsmount(
        &fs,
        FsMountFlags::FSMOUNT_CLOEXEC,
        MountAttrFlags::MOUNT_ATTR_RDONLY
            | MountAttrFlags::MOUNT_ATTR_NOSUID
            | MountAttrFlags::MOUNT_ATTR_NODEV
            | MountAttrFlags::MOUNT_ATTR_NOEXEC,
    )?;
    let root = rustix::fs::openat(
        &mount,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    )?;
    let mut queues = 0u32;
    for entry in Dir::read_from(&root)? {
        let name = entry?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            queues = queues.saturating_add(1);
        }
    }
    Ok(queues)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rows_below_the_header() {
        let shm = b"       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime        rss       swap
 -1652470339          0   644       4096  1234     0      0     0     0     0     0          0          0 1700000000          0          0
          0          1   600       8192  1235     0      0     0     0     0     0          0          0 1700000000          0          0
";
        assert_eq!(count_rows(shm), 2);
        assert_eq!(count_rows(b"       key      semid perms      nsems\n"), 0);
        assert_eq!(count_rows(b""), 0);
    }
}
