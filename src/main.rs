// The binary's allocator only: the library leaves the choice to its users.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the Rust bindings do not name it): how
/// long freed memory is kept before it is returned to the system, 1 s by default
/// in mimalloc 3. A batch gave pages back and faulted them in again all the time
/// (a tenth of its time in the kernel).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Never purge: a run reuses what it freed (a batch of 1,000 questionnaires
    // peaked 11-21 % above batches of 100, docs/performance.md).
    // SAFETY: sets one integer option, before any other thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // mimalloc asks Linux for transparent huge pages, and every such page is
    // zeroed, 2 MB at a time, when first touched: after another program freed much
    // memory (LibreOffice, say), a third of one annex's time went to it.
    // SAFETY: a plain system call on this process, with constant arguments.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    secannex::cli::main()
}

#[cfg(test)]
mod tests {
    /// The option is set by number: the number must still be the purge delay's,
    /// recognised by its default (1,000 ms; its neighbours default to 1 and 0).
    #[test]
    fn option_15_is_the_purge_delay() {
        // SAFETY: reads one integer option.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 1000);
    }
}
