/* Makes one system call the sandbox's filter refuses (argv[1] names it), with arguments that would work, or at
   least reach the kernel's own checks, where it is allowed; prints "<name> <return value> <errno>". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buf[4096];

struct call { const char *name; long nr; long a, b, c, d, e; };
static const struct call calls[] = {
    {"add_key", SYS_add_key, (long)"user", (long)"clm", (long)"x", 1, -4},
    {"request_key", SYS_request_key, (long)"user", (long)"clm", 0, -4},
    {"keyctl", SYS_keyctl, 0, -3, 1},
    {"io_uring_setup", SYS_io_uring_setup, 4, (long)buf},
    {"io_uring_enter", SYS_io_uring_enter, 0, 0, 0, 0, 0},
    {"io_uring_register", SYS_io_uring_register, 0, 0, 0, 0},
    {"userfaultfd", SYS_userfaultfd, 0},
    {"bpf", SYS_bpf, 0, (long)buf, 64},
    {"perf_event_open", SYS_perf_event_open, (long)buf, 0, -1, -1, 0},
    {"ptrace", SYS_ptrace, 0 /* PTRACE_TRACEME */},
    {"process_vm_readv", SYS_process_vm_readv, 1, (long)buf, 1, (long)buf, 1},
    {"process_vm_writev", SYS_process_vm_writev, 1, (long)buf, 1, (long)buf, 1},
    {"kcmp", SYS_kcmp, 1, 1, 0, 0, 0},
    {"unshare", SYS_unshare, 0x10000000 /* CLONE_NEWUSER */},
    {"setns", SYS_setns, 0, 0},
    {"mount", SYS_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0},
    {"umount2", SYS_umount2, (long)"/tmp", 0},
    {"pivot_root", SYS_pivot_root, (long)"/tmp", (long)"/tmp"},
    {"chroot", SYS_chroot, (long)"/tmp"},
    {"open_by_handle_at", SYS_open_by_handle_at, -100, (long)buf, 0},
    {"name_to_handle_at", SYS_name_to_handle_at, -100, (long)"/", (long)buf, (long)buf, 0},
    {"fsopen", SYS_fsopen, (long)"tmpfs", 0},
    {"fsconfig", SYS_fsconfig, -1, 0, 0, 0, 0},
    {"fsmount", SYS_fsmount, -1, 0, 0},
    {"fspick", SYS_fspick, -100, (long)"/", 0},
    {"move_mount", SYS_move_mount, -1, (long)"", -1, (long)"", 0},
    {"open_tree", SYS_open_tree, -100, (long)"/", 0},
    {"init_module", SYS_init_module, (long)buf, 16, (long)""},
    {"finit_module", SYS_finit_module, 0, (long)"", 0},
    {"delete_module", SYS_delete_module, (long)"nothing", 0},
    {"kexec_load", SYS_kexec_load, 0, 0, 0, 0},
    {"kexec_file_load", SYS_kexec_file_load, -1, -1, 0, 0, 0},
    {"reboot", SYS_reboot, 0, 0, 0, 0},
    {"swapon", SYS_swapon, (long)"/tmp/x", 0},
    {"swapoff", SYS_swapoff, (long)"/tmp/x"},
    {"syslog", SYS_syslog, 3, (long)buf, 64},
    {"acct", SYS_acct, 0},
    {"quotactl", SYS_quotactl, 0, 0, 0, 0},
    {"fanotify_init", SYS_fanotify_init, 0, 0},
};

int main(int argc, char **argv) {
    for (unsigned i = 0; argc > 1 && i < sizeof calls / sizeof *calls; i++) {
        const struct call *c = &calls[i];
        if (strcmp(c->name, argv[1]))
            continue;
        errno = 0;
        long r = syscall(c->nr, c->a, c->b, c->c, c->d, c->e);
        printf("%s %ld %d\n", c->name, r, r < 0 ? errno : 0);
        return 0;
    }
    printf("unknown %s\n", argc > 1 ? argv[1] : "");
    return 2;
}
