//! User names from /etc/passwd, parsed once per scan.

use std::collections::HashMap;

/// uid → name, first entry wins (as getpwuid does).
pub fn read_passwd(path: &str) -> HashMap<u32, String> {
    let mut bytes = Vec::new();
    super::process::read_at(rustix::fs::CWD, path, &mut bytes)
        .map(|()| parse_passwd(&bytes))
        .unwrap_or_default()
}

pub fn parse_passwd(bytes: &[u8]) -> HashMap<u32, String> {
    let mut users = HashMap::new();
    for line in bytes.split(|&b| b == b'\n') {
        let mut fields = line.split(|&b| b == b':');
        let (Some(name), Some(_), Some(uid)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let Some(uid) = std::str::from_utf8(uid).ok().and_then(|u| u.parse().ok()) else {
            continue;
        };
        if !name.is_empty() && !name.starts_with(b"#") {
            users
                .entry(uid)
                .or_insert_with(|| crate::sanitize::text_from_bytes(name));
        }
    }
    users
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_passwd() {
        let users = super::parse_passwd(
            b"root:x:0:0::/root:/bin/sh\nbad line\nnobody:x:65534:65534::/:/x\ntwin:x:0:0::/:/x\n",
        );
        assert_eq!(users.get(&0).map(String::as_str), Some("root"));
        assert_eq!(users.get(&65534).map(String::as_str), Some("nobody"));
        assert_eq!(users.len(), 2);
    }
}
