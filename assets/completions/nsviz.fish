# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_nsviz_global_optspecs
    string join \n from= proc= interval= color= h/help V/version
end

function __fish_nsviz_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_nsviz_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_nsviz_using_subcommand
    set -l cmd (__fish_nsviz_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c nsviz -n "__fish_nsviz_needs_command" -l from -d 'Read a snapshot saved by `nsviz snapshot` instead of scanning this host ("-": standard input)' -r -F
complete -c nsviz -n "__fish_nsviz_needs_command" -l proc -d 'The proc filesystem to scan' -r -F
complete -c nsviz -n "__fish_nsviz_needs_command" -l interval -d 'Viewer only: rescan the host every MS milliseconds. Scanning may use about 2% of one core: on a large host a rescan reads new processes and a rotating share of the known ones, and rescans may come less often (the status line says so)' -r
complete -c nsviz -n "__fish_nsviz_needs_command" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_needs_command" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "list" -d 'List namespaces as a table (like lsns), or as lsns-compatible JSON'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "tree" -d 'Show the namespace hierarchy as a text tree'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "snapshot" -d 'Print everything found as one JSON document (schema: docs/snapshot.md)'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "graph" -d 'Print the namespace graph for Graphviz (dot) or Markdown (mermaid)'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "enter" -d 'Run a command in namespaces of a process, or in namespaces bound to files'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "spawn" -d 'Run a command in new namespaces'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "forget" -d 'Unbind namespaces kept with `spawn --keep NAME`, or list the kept sets'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish), made from these same definitions'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "man" -d 'Print a manual page (roff): nsviz(1), or nsviz-SUBCOMMAND(1)'
complete -c nsviz -n "__fish_nsviz_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -l from -d 'Read a snapshot saved by `nsviz snapshot` instead of scanning this host ("-": standard input)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -l proc -d 'The proc filesystem to scan' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s t -l type -d 'Only namespaces of this type (repeatable): user, mnt, pid, net, uts, ipc, cgroup, time' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s p -l task -d 'Only the namespaces of this process' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s o -l output -d 'Columns to show, comma separated (see --list-columns); a leading + adds to the default' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s T -l tree -d 'Show namespaces as a tree: under their owner (user namespace, the default), their parent (user and pid), or flat by process, as lsns does' -r -f -a "owner\t'User namespaces with the namespaces they own beneath them'
parent\t'Parent/child hierarchy of user and pid namespaces'
process\t'The process tree, each process with the namespaces where it differs from its parent'"
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s Q -l filter -d 'Only the rows for which EXPR is true: lsns 2.41\'s filter language, e.g. \'TYPE == "net" && NPROCS > 1\', \'COMMAND =~ "^sleep"\', \'not (PID eq 1)\' (docs/list.md)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -l output-all -d 'Show every column'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s H -l list-columns -d 'Print the columns that -o accepts, with a description of each'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s J -l json -d 'Print JSON with the keys and conventions of lsns -J: the columns of -o, else those of `lsns -J --output-all`; nested under "children" with --tree'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s r -l raw -d 'Raw output: one space between columns, no alignment, spaces and non-ASCII escaped'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s l -l list -d 'A flat list: with a NAMESPACE, its processes without the tree of parent and child'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s u -l notruncate -d 'Do not truncate COMMAND (and the other long columns) to the terminal\'s width'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s W -l nowrap -d 'Accepted for lsns: nsviz never splits a cell over several lines (NSFS is comma separated)'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s P -l persistent -d 'Only namespaces no process is in (kept by a bind mount, an fd, a socket, a thread, a child namespace)'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s n -l noheadings -d 'Do not print the header line'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand list" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand tree" -l from -d 'Read a snapshot saved by `nsviz snapshot` instead of scanning this host ("-": standard input)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand tree" -l proc -d 'The proc filesystem to scan' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand tree" -l by -d 'How to arrange the tree' -r -f -a "owner\t'User namespaces with the namespaces they own beneath them'
parent\t'Parent/child hierarchy of user and pid namespaces'
process\t'The process tree, each process with the namespaces where it differs from its parent'"
complete -c nsviz -n "__fish_nsviz_using_subcommand tree" -s t -l type -d 'Only namespaces of this type (repeatable); their ancestors are kept for context' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand tree" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand tree" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand tree" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand snapshot" -l from -d 'Read a snapshot saved by `nsviz snapshot` instead of scanning this host ("-": standard input)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand snapshot" -l proc -d 'The proc filesystem to scan' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand snapshot" -s o -l output -d 'Write to FILE instead of standard output' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand snapshot" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand snapshot" -l compact -d 'One line instead of indented JSON'
complete -c nsviz -n "__fish_nsviz_using_subcommand snapshot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand snapshot" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -l from -d 'Read a snapshot saved by `nsviz snapshot` instead of scanning this host ("-": standard input)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -l proc -d 'The proc filesystem to scan' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -s f -l format -d 'Output format' -r -f -a "dot\t'Graphviz: `nsviz graph | dot -Tsvg > ns.svg`'
mermaid\t'Mermaid flowchart, for Markdown pages'"
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -s t -l type -d 'Only namespaces of this type (repeatable); user namespaces are always kept as the frame' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -l hide-initial -d 'Leave out the initial (host) namespaces other than the root user namespace'
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand graph" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s t -l target -d 'The process whose namespaces to enter; PID:INODE also checks its pidfs inode (as `getino` prints it), so a PID reused by another process is refused' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s m -l mount -d 'Mount namespace (of the target, or the one bound at FILE)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s u -l uts -d 'UTS namespace: hostname and domain name (of the target, or the one bound at FILE)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s i -l ipc -d 'IPC namespace: System V IPC, POSIX message queues (of the target, or the one at FILE)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s n -l net -d 'Network namespace (of the target, or the one bound at FILE)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s p -l pid -d 'PID namespace (of the target, or the one bound at FILE); the command runs in a child' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s U -l user -d 'User namespace (of the target, or the one bound at FILE)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s C -l cgroup -d 'Cgroup namespace (of the target, or the one bound at FILE)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s T -l time -d 'Time namespace: clock offsets (of the target, or the one bound at FILE)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -l ns -d 'Enter the namespace with this id (inode number or NSID, as `nsviz list` shows them), wherever it is held' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s N -l net-socket -d 'Enter the network namespace of the target\'s socket at this file descriptor' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s S -l setuid -d 'Set the user id inside (default with -U: 0); `follow`: the target\'s' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s G -l setgid -d 'Set the group id inside and drop supplementary groups (default with -U: 0); `follow`: the target\'s' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s r -l root -d 'Root directory: the target\'s, or DIR opened before entering (default: the mount namespace\'s root)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s w -l wd -d 'Working directory: the target\'s, or DIR opened before entering (default: the root)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s W -l wdns -d 'Working directory, looked up after entering and changing root' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s a -l all -d 'Enter every namespace of the target that differs from ours'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -l user-parent -d 'Enter the parent of the user namespace (of -U, else of the other namespaces\' owner)'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -l preserve-credentials -d 'Keep the current uid, gid and groups when entering a user namespace'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -l keep-caps -d 'Keep the capabilities the entered user namespace gives, for the command too'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s e -l env -d 'Run the command with the target\'s environment'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s c -l join-cgroup -d 'Move into the target\'s cgroup'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s F -l no-fork -d 'Do not fork before running the command, even after entering a PID namespace'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s Z -l follow-context -d 'Run the command in the target\'s SELinux context (needs SELinux enabled)'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand enter" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s m -l mount -d 'New mount namespace; =FILE also binds it to FILE to keep it' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s u -l uts -d 'New UTS namespace (hostname); =FILE also binds it to FILE' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s i -l ipc -d 'New IPC namespace; =FILE also binds it to FILE' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s n -l net -d 'New network namespace (only a loopback, down); =FILE also binds it to FILE' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s p -l pid -d 'New PID namespace, the command its PID 1 (see --init); =FILE binds it' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s U -l user -d 'New user namespace; =FILE also binds it to FILE' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s C -l cgroup -d 'New cgroup namespace; =FILE also binds it to FILE' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s T -l time -d 'New time namespace (see --monotonic, --boottime); =FILE also binds it to FILE' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l map-user -d 'Map our user to UID (a number or a user name) in a new user namespace (implies -U; overrides an earlier -r or -c, a later one overrides it)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l map-group -d 'Map our group to GID (a number or a group name) in a new user namespace (implies -U; overrides an earlier -r or -c, a later one overrides it)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l map-users -d 'Map COUNT uids from OUTER to INNER, or auto (the first block of /etc/subuid from 0), subids (that block to itself), all (every uid to itself); repeatable; through newuidmap when not root (implies -U)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l map-groups -d 'As --map-users, for group ids (/etc/subgid, newgidmap)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l owner -d 'Create the user namespace as UID:GID, who then owns it (root only; implies -U)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l kill-child -d 'Send SIGNAL (default SIGKILL) to the command when nsviz dies' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s R -l root -d 'Run the command with its root directory set to DIR (chroot, after the mounts)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l mount-binfmt -d 'Not supported: binfmt_misc mounts (see docs/compat.md)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s l -l load-interp -d 'Not supported: binfmt_misc interpreters (see docs/compat.md)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l setgroups -d 'Whether setgroups(2) is allowed in the new user namespace (default with a map: deny)' -r -f -a "allow\t''
deny\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l hostname -d 'Set the hostname in a new UTS namespace (implies -u)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l mount-proc -d 'Mount a fresh proc filesystem at DIR (default /proc) for the new PID namespace (implies -m and -p)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l propagation -d 'Mount propagation for the new mount namespace' -r -f -a "private\t''
slave\t''
shared\t''
unchanged\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l bind -d 'Bind-mount SRC on DST nosuid, nodev, as bwrap does (implies -m)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l ro-bind -d 'Bind-mount SRC on DST read-only, nosuid, nodev (implies -m)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l tmpfs -d 'Mount an empty tmpfs on DST (implies -m)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l symlink -d 'Create a symbolic link LINK pointing at TARGET (with --new-root, inside the new root)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l proc -d 'Mount procfs on DST (implies -m; with -p it shows the new PID namespace)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l dev -d 'Mount a minimal /dev (null, zero, full, random, urandom, tty, pts) on DST (implies -m)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l dev-bind -d 'Bind-mount SRC on DST nosuid only: devices on it stay usable (--bind adds nodev)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l bind-try -d 'As --bind, but a missing SRC is skipped' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l dev-bind-try -d 'As --dev-bind, but a missing SRC is skipped' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l ro-bind-try -d 'As --ro-bind, but a missing SRC is skipped' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l dir -d 'Create a directory DST (mode 0755, or the --perms before it)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l remount-ro -d 'Make the mount on DST read-only (only that mount)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l perms -d 'The mode of what the next --dir, --tmpfs, --file, --bind-data or --ro-bind-data creates' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l chmod -d 'Set the permissions of the existing PATH' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l file -d 'Create the file DST holding what is read from the open fd FD (mode 0666)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l bind-data -d 'Bind-mount on DST a file holding what is read from the open fd FD (mode 0600)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l ro-bind-data -d 'As --bind-data, read-only' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l size -d 'The size limit of the tmpfs the next --tmpfs mounts' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l mqueue -d 'Mount the IPC namespace\'s POSIX message queues (mqueue) on DST' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l bind-fd -d 'Bind-mount what the open fd FD names (a directory or O_PATH fd) on DST, as --bind' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l ro-bind-fd -d 'As --bind-fd, read-only (as --ro-bind)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s S -l setuid -d 'Run the command as this uid (inside the new user namespace, if any)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s G -l setgid -d 'Run the command as this gid (inside the new user namespace, if any)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l monotonic -d 'Offset of CLOCK_MONOTONIC in a new time namespace, in seconds (implies -T)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l boottime -d 'Offset of CLOCK_BOOTTIME in a new time namespace, in seconds (implies -T)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l keep -d 'Keep every new namespace bound under /run/nsviz/NAME/ (remove with `nsviz forget NAME`)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l join -d 'Join an existing namespace instead of creating one: TYPE=FILE (/run/netns/blue, a kept file) or TYPE=PID (repeatable; e.g. --join net=/run/netns/blue)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l veth -d 'Connect the new network namespace (implies -n) to this one with a veth pair: OUTSIDE stays here, INSIDE moves in (default: the first free nsvizN, and eth0)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l addr -d 'Address of the inside end, ADDR/PREFIX, IPv4 or IPv6 (repeatable; needs --veth)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l peer-addr -d 'Address of the outside end, ADDR/PREFIX (repeatable; needs --veth)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l bridge -d 'Attach the outside end to this existing bridge (needs --veth)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l netns-name -d 'Name the new network namespace for ip netns: bind it at /run/netns/NAME (implies -n; remove with `nsviz forget NAME` or `ip netns delete NAME`)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l uid -d 'The user id of the command inside the new user namespace, mapped to the caller\'s' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l gid -d 'The group id of the command inside the new user namespace, mapped to the caller\'s' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l chdir -d 'Working directory inside (as -w)' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l setenv -d 'Set an environment variable of the command (repeatable; after --unsetenv, --clearenv)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unsetenv -d 'Unset an environment variable of the command (repeatable; after --clearenv)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l info-fd -d 'Write the command\'s pid and the new namespaces\' inode numbers as JSON to this open fd' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l json-status-fd -d 'Write the same as one JSON line to this open fd, then the exit code as another' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l cap-add -d 'Keep capability CAP (a name like CAP_NET_ADMIN, or ALL) in every set of the command (in order with --cap-drop)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l cap-drop -d 'Take capability CAP (or ALL) away from the command (in order with --cap-add)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l seccomp -d 'Load this classic-BPF seccomp program (an array of struct sock_filter, read from the open fd FD) right before running the command; sets no_new_privs' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l add-seccomp-fd -d 'Load the classic-BPF seccomp program read from the open fd FD (repeatable: each one is loaded, in order, and the kernel applies them all)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l argv0 -d 'Run the command with VALUE as its argv[0] (the program is still found by its name)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l block-fd -d 'Once the namespaces exist (and --info-fd is written), wait until the open fd FD has something to read, or ends, before setting up the filesystem and running the command' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l sync-fd -d 'Keep the open fd FD open until the command ends (the command does not get it), so whoever holds its other end sees it close then' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l userns -d 'Join the user namespace open as fd FD instead of creating one (--uid and --gid are then ids to take there)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l pidns -d 'Join the PID namespace open as fd FD (the command runs in it, as a child of nsviz)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l userns2 -d 'Once the filesystem is built, switch to the user namespace open as fd FD (a child of the one the sandbox is in, as with --userns)' -r
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l lock-file -d 'Hold a read lock (fcntl) on the existing file DST (in the new root) while the command runs (repeatable); nsviz\'s init holds it, so the command must not be PID 1' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s w -l wd -d 'Working directory inside' -r -F
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s f -l fork -d 'Accepted for unshare compatibility: nsviz always forks where a new PID namespace needs it'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l init -d 'With a new PID namespace, run a small init as PID 1 that reaps orphans and forwards signals, the command its child (bwrap\'s default; without it the command is PID 1)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l map-auto -d '--map-users=auto --map-groups=auto'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l map-subids -d '--map-users=subids --map-groups=subids'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l forward-signals -d 'Accepted for unshare compatibility: nsviz always forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to the command'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l keep-caps -d 'With a new user namespace, the command keeps its capabilities there (as ambient ones)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s r -l map-root-user -d 'Map the current user to root in a new user namespace (implies -U; the last of -r, -c, --map-user, --map-group wins, as in unshare)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s c -l map-current-user -d 'Map the current user to itself in a new user namespace (implies -U; the last of -r, -c, --map-user, --map-group wins)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l new-root -d 'Build a new root on tmpfs from the filesystem flags only, pivot into it, detach the old'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l drop-caps -d 'Clear every capability set, bounding and ambient included, before running the command'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l no-new-privs -d 'Set no_new_privs: the command cannot gain privileges through setuid files'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l route -d 'Inside, a default route through the outside end\'s address of each family (needs --peer-addr)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l pasta -d 'Connect the new network namespace (implies -n) to the outside through pasta (package passt), also for a non-root user; needs a new user namespace (-r, -c, -U); the connection ends with the command'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-all -d 'Create every namespace bwrap\'s --unshare-all does: user, ipc, pid, net, uts, cgroup'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-user -d 'New user namespace, the caller\'s ids mapped to themselves (or to --uid, --gid)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-user-try -d 'Same as --unshare-user (user namespaces are always available to nsviz\'s kernels)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-ipc -d 'New IPC namespace (as -i)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-pid -d 'New PID namespace (as -p)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-net -d 'New network namespace (as -n)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-uts -d 'New UTS namespace (as -u)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-cgroup -d 'New cgroup namespace (as -C)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l unshare-cgroup-try -d 'Same as --unshare-cgroup'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l share-net -d 'Keep the network namespace, overriding --unshare-all'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l clearenv -d 'Start the command with no environment variable but PWD (and those of --setenv)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l die-with-parent -d 'Kill the command (SIGKILL) when its parent dies'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l new-session -d 'Run the command in a new session (setsid): it has no controlling terminal'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l as-pid-1 -d 'With --new-root and a new PID namespace, the command itself is PID 1 (with --new-root a reaping init is, as in bwrap)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l disable-userns -d 'Allow the command no further user namespace: the new one\'s limit becomes 1 and the command runs in a nested one (needs --unshare-user)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l assert-userns-disabled -d 'Fail (exit 125) unless creating a user namespace fails once the sandbox is set up (after --disable-userns, or in a --userns that disabled them)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -l level-prefix -d 'Start each error line with its sd-daemon level, <3> (not usage errors clap reports)'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand spawn" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand forget" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand forget" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand forget" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand completions" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand completions" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand man" -l color -d 'Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless NO_COLOR is set or TERM is dumb), always or never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb'
always\t''
never\t''"
complete -c nsviz -n "__fish_nsviz_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nsviz -n "__fish_nsviz_using_subcommand man" -s V -l version -d 'Print version'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "list" -d 'List namespaces as a table (like lsns), or as lsns-compatible JSON'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "tree" -d 'Show the namespace hierarchy as a text tree'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "snapshot" -d 'Print everything found as one JSON document (schema: docs/snapshot.md)'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "graph" -d 'Print the namespace graph for Graphviz (dot) or Markdown (mermaid)'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "enter" -d 'Run a command in namespaces of a process, or in namespaces bound to files'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "spawn" -d 'Run a command in new namespaces'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "forget" -d 'Unbind namespaces kept with `spawn --keep NAME`, or list the kept sets'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish), made from these same definitions'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "man" -d 'Print a manual page (roff): nsviz(1), or nsviz-SUBCOMMAND(1)'
complete -c nsviz -n "__fish_nsviz_using_subcommand help; and not __fish_seen_subcommand_from list tree snapshot graph enter spawn forget completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
