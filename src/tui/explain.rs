//! Per-type explanations, kept as Markdown in assets/explain/ and compiled in.

use crate::model::NsType;

pub fn text(t: NsType) -> &'static str {
    match t {
        NsType::User => include_str!("../../assets/explain/user.md"),
        NsType::Mnt => include_str!("../../assets/explain/mnt.md"),
        NsType::Pid => include_str!("../../assets/explain/pid.md"),
        NsType::Net => include_str!("../../assets/explain/net.md"),
        NsType::Uts => include_str!("../../assets/explain/uts.md"),
        NsType::Ipc => include_str!("../../assets/explain/ipc.md"),
        NsType::Cgroup => include_str!("../../assets/explain/cgroup.md"),
        NsType::Time => include_str!("../../assets/explain/time.md"),
    }
}
