#![no_main]
//! Fuzzes the `observed` entry point of fuzz/entry.rs.

#[path = "../entry.rs"]
mod entry;

use libfuzzer_sys::fuzz_target;

thread_local! {
    static SANDBOX: entry::Sandbox = entry::Sandbox::new(
        &std::env::temp_dir().join(format!("imagefs-fuzz-observed-{}", std::process::id())),
    );
}

fuzz_target!(|data: &[u8]| {
    SANDBOX.with(|sb| entry::run(sb, "observed", data));
});
