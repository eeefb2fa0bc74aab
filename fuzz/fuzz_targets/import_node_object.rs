#![no_main]
//! Fuzzes the `import_node_object` entry point of fuzz/entry.rs.

#[path = "../entry.rs"]
mod entry;

use libfuzzer_sys::fuzz_target;

thread_local! {
    static SANDBOX: entry::Sandbox = entry::Sandbox::new(
        &std::env::temp_dir().join(format!("imagefs-fuzz-import_node_object-{}", std::process::id())),
    );
}

fuzz_target!(|data: &[u8]| {
    SANDBOX.with(|sb| entry::run(sb, "import_node_object", data));
});
